// `--store` for each kind, through the installed package and its optional packages: PostgreSQL,
// a Deno KV file (npm @deno/kv), and wrangler bindings (KV, D1) with local persisted state:
// what one command writes, the next command (a new process) reads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Miniflare } from 'miniflare';
import { Sso } from 'edge-sso';
import { CID, cli, workdir } from './helpers.mjs';

const PASSWORD = 'Correct-horse-77';

/**
 * create-user, then (new processes; `short` skips these) "user exists", lock-user, login
 * refused, unlock-user; then login, which finds what the first process wrote.
 */
async function roundTrip(args, opts, { short = false } = {}) {
  const created = await cli(['create-user', 'sam', '--password', PASSWORD, ...args, '--json'], opts);
  assert.equal(created.code, 0, created.stdout + created.stderr);
  if (!short) {
    assert.equal((await cli(['create-user', 'sam', '--password', PASSWORD, ...args], opts)).code, 20);
    await lockRoundTrip(args, opts);
  }
  const login = await cli(['login', 'sam', ...args, '--json'], opts);
  assert.equal(login.code, 0, login.stderr);
  assert.equal(login.json.session.user_id, created.json.user_id);
  return created.json.user_id;
}

async function lockRoundTrip(args, opts) {
  assert.equal((await cli(['lock-user', 'sam', ...args], opts)).code, 0);
  const refused = await cli(['login', 'sam', ...args, '--json'], opts);
  assert.deepEqual(refused.json?.sub_status, ['E005002'], refused.stdout + refused.stderr);
  assert.equal((await cli(['unlock-user', 'sam', ...args], opts)).code, 0);
}

test('postgres:URL (a PostgresStore on its own database)', async () => {
  const conn = { host: process.env.PGHOST, port: Number(process.env.PGPORT), user: process.env.PGUSER };
  const admin = new pg.Client({ ...conn, database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE edge_cli_store');
  await admin.end();
  const { keyFile } = workdir();
  const url = `postgresql://${conn.user}@/edge_cli_store?host=${encodeURIComponent(conn.host)}&port=${conn.port}`;
  await roundTrip(['--store', `postgres:${url}`, '--secret-key-file', keyFile]);
  // The PG* variables alone (an empty URL) reach the same server.
  const r = await cli(['login', 'sam', '--store', 'postgres:', '--secret-key-file', keyFile], { env: { PGDATABASE: 'edge_cli_store' } });
  assert.equal(r.code, 0, r.stderr);
});

test('denokv:PATH (a Deno KV database file through npm @deno/kv)', async () => {
  const { dir, keyFile } = workdir();
  await roundTrip(['--store', `denokv:${join(dir, 'sso.kv')}`, '--secret-key-file', keyFile]);
  assert.ok(existsSync(join(dir, 'sso.kv')));
});

const WRANGLER_TOML = `name = "edge-sso-cli-test"
compatibility_date = "2026-07-30"

[[kv_namespaces]]
binding = "SSO_KV"
id = "SSO_KV"

[[d1_databases]]
binding = "DB"
database_name = "edge-sso-cli-test"
database_id = "00000000-0000-0000-0000-000000000001"

[[durable_objects.bindings]]
name = "SSO_DO"
class_name = "SsoDurableObject"
`;

test('wrangler:BINDING: a KV namespace and a D1 database of wrangler.toml, local state under .wrangler/state', async () => {
  const { dir, keyFile } = workdir();
  writeFileSync(join(dir, 'wrangler.toml'), WRANGLER_TOML);
  // Short trips: every wrangler start costs seconds (the full trip runs on the other stores).
  const kvUser = await roundTrip(['--store', 'wrangler:SSO_KV', '--secret-key-file', keyFile], { cwd: dir }, { short: true });
  const d1User = await roundTrip(['--store', 'wrangler:DB', '--secret-key-file', keyFile], { cwd: dir }, { short: true });
  assert.notEqual(kvUser, d1User); // two stores: the same username twice
  assert.deepEqual(readdirSync(join(dir, '.wrangler', 'state', 'v3')).filter((d) => d === 'kv' || d === 'd1').sort(), ['d1', 'kv']);

  const missing = await cli(['login', 'sam', '--store', 'wrangler:NOPE', '--secret-key-file', keyFile], { cwd: dir });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /wrangler\.toml has no KV, D1 or Durable Object binding named NOPE \(it has: SSO_KV, DB, SSO_DO\)/);
  const durable = await cli(['login', 'sam', '--store', 'wrangler:SSO_DO', '--secret-key-file', keyFile], { cwd: dir });
  assert.equal(durable.code, 2);
  assert.match(durable.stderr, /SSO_DO is a Durable Object class of this Worker, which runs only inside it/);
  const elsewhere = await cli(['login', 'sam', '--store', 'wrangler:SSO_KV', '--secret-key-file', keyFile]);
  assert.equal(elsewhere.code, 2);
  assert.match(elsewhere.stderr, /reads wrangler\.toml \/ wrangler\.json \/ wrangler\.jsonc in the current folder; there is none/);

  // --remote goes to Cloudflare (here: refused, no login) and never falls back to the local state.
  const remote = await cli(['login', 'sam', '--store', 'wrangler:SSO_KV', '--remote', '--secret-key-file', keyFile, '--json'],
    { cwd: dir, env: { CLOUDFLARE_API_TOKEN: '', CLOUDFLARE_ACCOUNT_ID: '', WRANGLER_SEND_METRICS: 'false' } });
  assert.equal(remote.code, 23, remote.stdout + remote.stderr);
  assert.match(remote.json.message, /remote/i);
  assert.deepEqual(readdirSync(dir).filter((f) => f.startsWith('.edge-sso-remote-')), []);
});

test('wrangler:SSO_KV --persist-to: the state `make demo` keeps (a miniflare KV namespace persisted in a folder)', async () => {
  const { dir, keyFile, secretKey } = workdir();
  // As examples/demo/serve.mjs runs the example worker: kvNamespaces ['SSO_KV'], kvPersist <demo>/kv.
  const demo = join(dir, 'demo');
  const mf = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null); } }', kvNamespaces: ['SSO_KV'], kvPersist: join(demo, 'kv') });
  try {
    const sso = new Sso({ store: await mf.getKVNamespace('SSO_KV'), secretKey });
    await sso.admin.createUser(CID, { username: 'admin', password: PASSWORD }, { superUser: true });
  } finally {
    await mf.dispose();
  }
  writeFileSync(join(dir, 'wrangler.toml'), WRANGLER_TOML);
  const args = ['--store', 'wrangler:SSO_KV', '--persist-to', demo, '--secret-key-file', keyFile];
  const locked = await cli(['lock-user', 'admin', ...args], { cwd: dir });
  assert.equal(locked.code, 0, locked.stderr);
  const mf2 = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response(null); } }', kvNamespaces: ['SSO_KV'], kvPersist: join(demo, 'kv') });
  try {
    const sso = new Sso({ store: await mf2.getKVNamespace('SSO_KV'), secretKey });
    assert.equal((await sso.admin.findUser(CID, 'admin')).is_locked, true);
  } finally {
    await mf2.dispose();
  }
});
