// The command line's own rules: --help for every command, bad usage (exit 2), the secret key and
// config, a store that cannot be opened (exit 23), an optional package that is not installed
// (exit 25, naming it), and --json for all of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { cli, fileStore, tempDir, workdir } from './helpers.mjs';

const COMMANDS = {
  'create-user': ['--email', '--display-name', '--first-name', '--middle-name', '--last-name', '--password', '--password-file'],
  'create-super-user': ['--email', '--display-name', '--first-name', '--middle-name', '--last-name', '--password', '--password-file'],
  'delete-user': ['--yes'],
  'lock-user': [],
  'unlock-user': [],
  login: [],
  logout: [],
  'change-user-password': ['--password', '--password-file', '--expiry', '--must-change'],
  'reset-user-password': ['--expiry', '--must-change'],
  'reset-totp-key': ['--key', '--key-file', '--key-label'],
  'import-zato': ['--zato-secret-key-file', '--update'],
};
const GLOBAL = ['--store', '--secret-key-file', '--config', '--json', '--remote', '--persist-to', '--wrangler-config', '--audit-log'];

test('--help lists every command; `<command> --help` and `help <command>` show its options and the exit codes', async () => {
  const all = await cli(['--help']);
  assert.equal(all.code, 0);
  for (const name of Object.keys(COMMANDS)) assert.match(all.stdout, new RegExp(`^  ${name} `, 'm'));
  assert.match(all.stdout, /20 user exists {3}21 validation error .* {3}22 no such SSO user/);
  for (const [name, options] of Object.entries(COMMANDS)) {
    const h = await cli([name, '--help']);
    assert.equal(h.code, 0, name);
    assert.match(h.stdout, new RegExp(`^Usage: edge-sso ${name} <`));
    for (const o of [...options, ...GLOBAL]) assert.ok(h.stdout.includes(`${o} `), `${name} --help names ${o}`);
  }
  assert.equal((await cli(['help', 'lock-user'])).stdout, (await cli(['lock-user', '--help'])).stdout);
  const none = await cli([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /^Usage: edge-sso <command>/);
});

test('bad usage is exit 2, with a message (text on stderr, or JSON on stdout)', async () => {
  const s = fileStore();
  const cases = [
    [['frobnicate'], /unknown command "frobnicate"/],
    [['help', 'frobnicate'], /unknown command "frobnicate"/],
    [['lock-user', ...s.args], /lock-user takes <username>/],
    [['lock-user', 'a', 'b', ...s.args], /not 2 arguments/],
    [['lock-user', 'a', '--colour', ...s.args], /Unknown option '--colour'/],
    [['lock-user', 'a', '--store'], /--store/],
    [['lock-user', '', ...s.args], /an argument is empty/],
    [['lock-user', 'a', '--store', 'ftp:x', '--secret-key-file', s.keyFile], /unknown store "ftp"/],
    [['lock-user', 'a', '--secret-key-file', s.keyFile], /no store: give --store/],
    [['lock-user', 'a', '--store', `file:${s.path}`], /no secret key: set SSO_SECRET_KEY or give --secret-key-file/],
    [['lock-user', 'a', '--store', `file:${s.path}`, '--secret-key-file', join(s.dir, 'missing')], /--secret-key-file .*: no such file/],
    [['lock-user', 'a', '--store', `file:${s.path}`, '--secret-key-file', s.keyFile, '--config', join(s.dir, 'missing.json')], /--config .*: no such file/],
    [['import-zato', join(s.dir, 'none.sqlite'), ...s.args], /import-zato needs Zato's secret key/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    const j = await cli([...args, '--json']);
    assert.equal(j.code, 2);
    assert.equal(j.json.status, 'error');
    assert.equal(j.json.error, 'usage');
    assert.equal(j.json.exit_code, 2);
    assert.match(j.json.message, message);
  }
  const notJson = join(s.dir, 'bad.json');
  writeFileSync(notJson, '{ nope');
  const c = await cli(['lock-user', 'a', ...s.args, '--config', notJson]);
  assert.equal(c.code, 2);
  assert.match(c.stderr, /--config .* is not JSON/);
  writeFileSync(join(s.dir, 'short.key'), 'c2hvcnQ=\n');
  const k = await cli(['lock-user', 'a', '--store', `file:${s.path}`, '--secret-key-file', join(s.dir, 'short.key')]);
  assert.equal(k.code, 2);
  assert.match(k.stderr, /could not set up edge-sso/);
});

test('SSO_SECRET_KEY and SSO_STORE stand in for --secret-key-file and --store; a key list (JSON array) works', async () => {
  const s = fileStore();
  const env = { SSO_SECRET_KEY: s.secretKey, SSO_STORE: `file:${s.path}` };
  assert.equal((await cli(['create-user', 'env1', '--password', 'Correct-horse-77'], { env })).code, 0);
  const rotated = JSON.stringify([workdir().secretKey, s.secretKey]);
  const r = await cli(['lock-user', 'env1', '--json'], { env: { ...env, SSO_SECRET_KEY: rotated } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

test('a store that cannot be opened is exit 23; a file store held by a running process too', async () => {
  const s = fileStore();
  const pg = await cli(['lock-user', 'a', '--store', 'postgres://nobody@127.0.0.1:1/none', '--secret-key-file', s.keyFile, '--json']);
  assert.equal(pg.code, 23, pg.stdout);
  assert.equal(pg.json.error, 'store_failure');
  assert.match(pg.json.message, /could not open the postgres store/);

  const notAStore = join(s.dir, 'not-a-store.json');
  writeFileSync(notAStore, '[1, 2]');
  const bad = await cli(['lock-user', 'a', '--store', `file:${notAStore}`, '--secret-key-file', s.keyFile]);
  assert.equal(bad.code, 23);
  assert.match(bad.stderr, /not a store file/);

  // A running process (this sleeper) holds the lock: refused. Once it has ended, the lock is stale and taken over.
  const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
  try {
    writeFileSync(`${s.path}.lock`, String(sleeper.pid));
    const held = await cli(['lock-user', 'a', ...s.args]);
    assert.equal(held.code, 23);
    assert.match(held.stderr, new RegExp(`in use by process ${sleeper.pid}`));
  } finally {
    sleeper.kill();
  }
  await new Promise((r) => sleeper.on('exit', r));
  const after = await cli(['lock-user', 'a', ...s.args]);
  assert.equal(after.code, 22, after.stderr); // the store opened; there is no such user
});

test('an optional package that is not installed is exit 25 and named, with the npm command', async () => {
  // The installed package alone, where neither pg, @deno/kv, wrangler nor sql.js can be found.
  const alone = tempDir('edge-sso-alone-');
  cpSync(join(import.meta.dirname, 'node_modules', 'edge-sso'), join(alone, 'node_modules', 'edge-sso'), { recursive: true });
  const bin = join(alone, 'node_modules', 'edge-sso', 'bin', 'edge-sso.mjs');
  const { keyFile } = workdir();
  const run = (args) => new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args, '--secret-key-file', keyFile], { cwd: alone, env: { ...process.env, SSO_STORE: '' } });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => resolve({ code, err }));
  });
  for (const [store, pkg] of [['postgres:', 'pg'], ['denokv:x.db', '@deno/kv'], ['wrangler:SSO_KV', 'wrangler']]) {
    const r = await run(['lock-user', 'a', '--store', store]);
    assert.equal(r.code, 25, `${store}: ${r.err}`);
    assert.ok(r.err.includes(`needs the npm package \`${pkg}\`: npm install ${pkg}`), r.err);
  }
  writeFileSync(join(alone, 'zato.sqlite'), '');
  const z = await new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'import-zato', join(alone, 'zato.sqlite'), '--store', `file:${join(alone, 's.json')}`, '--secret-key-file', keyFile],
      { cwd: alone, env: { ...process.env, ZATO_SECRET_KEY: 'SXun6S6zgyNQx5X7KcuNb2AyYMbTh4WC0jNt8sGmoC0=' } });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('close', (code) => resolve({ code, err }));
  });
  assert.equal(z.code, 25, z.err);
  assert.match(z.err, /needs the npm package `sql\.js`/);
});

test('--audit-log FILE gets one JSON record a line, with cid `cli` and app `zato-cli`', async () => {
  const s = fileStore();
  const log = join(s.dir, 'audit.jsonl');
  const r = await cli(['create-user', 'aud', '--password', 'Correct-horse-77', ...s.args, '--audit-log', log]);
  assert.equal(r.code, 0, r.stderr);
  const { readFileSync } = await import('node:fs');
  const records = readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(records.length >= 1);
  assert.ok(records.every((e) => e.cid === 'cli'), JSON.stringify(records));
  assert.ok(records.every((e) => e.extra?.current_app === 'zato-cli' && e.extra?.trusted === true), JSON.stringify(records));
  assert.ok(!readFileSync(log, 'utf8').includes('Correct-horse-77'));
});
