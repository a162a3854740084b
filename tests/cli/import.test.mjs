// import-zato on databases that make_zato_db.py built with Python's own cryptography (Fernet)
// and passlib (pbkdf2_sha512) in Zato's table layout: from SQLite into a file store and from
// PostgreSQL into a PostgreSQL store. Then the imported users log in through the package with
// their Zato passwords (the PBKDF2 hash becomes Argon2id), TOTP users with a code from their
// Zato key; re-runs skip or update and never duplicate; failures come with reasons; no secret
// is ever printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { Sso } from 'edge-sso';
import { PostgresStore } from 'edge-sso/postgres';
import { CID, IP, cli, fileStore, freshTotpCode, workdir } from './helpers.mjs';

const fixtures = process.env.ZATO_FIXTURES;
if (!fixtures) throw new Error('run these tests with `make test-cli` (tests/cli/run.mjs builds the Zato databases)');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
const users = expected.users;
const SQLITE = join(fixtures, 'zato.sqlite');
const ZATO_PG = `postgres://${process.env.PGUSER}@/zato?host=${encodeURIComponent(process.env.PGHOST)}&port=${process.env.PGPORT}`;

function zatoKeyFile(key = expected.zato_secret_key) {
  const { dir } = workdir();
  const file = join(dir, 'zato-secret.key');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return file;
}

/** Every secret of the Zato database: none may appear in anything the command prints. */
function assertNoSecrets(r) {
  const printed = r.stdout + r.stderr;
  const secrets = [expected.zato_secret_key];
  for (const u of Object.values(users)) secrets.push(u.password, u.totp_key);
  secrets.push(users.alice.attributes.national_id);
  for (const s of secrets) assert.ok(!printed.includes(s), 'a secret was printed');
  assert.ok(!printed.includes('$pbkdf2-sha512$'), 'a password hash was printed');
  assert.ok(!printed.includes('gAAAA'), 'a sealed value was printed');
}

function assertFirstRun(r) {
  assert.equal(r.code, 26, r.stdout + r.stderr); // finished, with failures
  const s = r.json;
  assert.equal(s.error, 'import_incomplete');
  assert.equal(s.total, 7);
  assert.deepEqual([s.imported, s.updated, s.skipped], [5, 0, 0]);
  assert.equal(s.attributes, 3); // alice's prefs and national_id, bob's level
  assert.equal(s.linked_auth, 1);
  assert.equal(s.session_attributes_left_out, 1);
  assert.equal(s.expired_attributes_left_out, 1);
  const failed = Object.fromEntries(s.failed.map((f) => [f.username, f]));
  assert.deepEqual(Object.keys(failed).sort(), ['frank', 'grace']);
  assert.match(failed.frank.reason, /could not open the TOTP key: the token does not verify with this key/);
  assert.equal(failed.frank.user_id, users.frank.user_id);
  assert.match(failed.grace.reason, /^E001002: the username belongs to another user_id here$/);
  assertNoSecrets(r);
}

/** The imported users through the package: fields, logins with Zato passwords, TOTP, attributes. */
async function checkUsers(sso) {
  const alice = await sso.admin.findUser(CID, 'alice');
  assert.equal(alice.user_id, users.alice.user_id);
  assert.equal(alice.email, users.alice.email);
  assert.equal(alice.first_name, 'Alice');
  assert.equal(alice.last_name, 'Liddell');
  assert.equal(alice.is_totp_enabled, false);
  const { ust } = await sso.user.login(CID, 'alice', users.alice.password, 'CRM', IP);
  await assert.rejects(sso.user.login(CID, 'alice', 'not-her-password', 'CRM', IP), (e) => e.code === 'E005001');
  assert.deepEqual((await sso.user.attr.get(CID, 'prefs', ust, 'CRM', IP)).value, users.alice.attributes.prefs);
  assert.equal((await sso.user.attr.get(CID, 'national_id', ust, 'CRM', IP, { decrypt: true })).value, users.alice.attributes.national_id);
  assert.equal(await sso.user.attr.exists(CID, 'cart', ust, 'CRM', IP), false); // a session attribute: sessions do not move
  assert.equal(await sso.user.attr.exists(CID, 'old_token', ust, 'CRM', IP), false); // expired in Zato
  const links = await sso.user.getLinkedAuthList(CID, ust, 'CRM', IP);
  assert.equal(links.length, 1, JSON.stringify(links));
  assert.equal(links[0].auth_type, 'basic_auth'); // Zato's 'zato.basic_auth', as edge-sso names the type
  assert.equal(String(links[0].auth_id), '7');
  assert.equal(links[0].user_id, users.alice.user_id);

  // bob: TOTP on, PBKDF2 with Zato's default 120,000 rounds, email stored in clear by Zato
  const bob = await sso.admin.findUser(CID, 'bob');
  assert.equal(bob.is_totp_enabled, true);
  assert.equal(bob.email, users.bob.email);
  assert.equal(bob.display_name, 'Bob B.');
  assert.equal(bob.totp_label, users.bob.totp_label);
  await assert.rejects(sso.user.login(CID, 'bob', users.bob.password, 'CRM', IP), (e) => e.code === 'E005008');
  const bobSession = await sso.user.login(CID, 'bob', users.bob.password, 'CRM', IP, { totpCode: await freshTotpCode(users.bob.totp_key) });
  assert.equal((await sso.user.attr.get(CID, 'level', bobSession.ust, 'CRM', IP)).value, 42);

  // carol: a super-user whose hash Zato stored unsealed (main.encrypt_password = False)
  const carol = await sso.user.login(CID, 'carol', users.carol.password, 'CRM', IP);
  assert.equal((await sso.user.getCurrentUser(CID, carol.ust, 'CRM', IP)).is_super_user, true);

  // dave was locked in Zato; erin was not approved; frank failed
  const dave = await sso.admin.findUser(CID, 'dave');
  assert.equal(dave.is_locked, true);
  assert.equal(dave.locked_by, 'admin@zato-host');
  await assert.rejects(sso.user.login(CID, 'dave', users.dave.password, 'CRM', IP), (e) => e.code === 'E005002');
  assert.equal(await sso.admin.findUser(CID, 'erin'), null);
  const erin = await sso.user.getUserById(CID, users.erin.user_id, carol.ust, 'CRM', IP);
  assert.equal(erin.approval_status, 'before_decision');
  assert.equal(await sso.admin.findUser(CID, 'frank'), null);
}

test('SQLite into a file store: import, re-run (skips), --update; Zato passwords log in and become Argon2id', async () => {
  const s = fileStore();
  // Hashes stored unsealed in this store, so that the upgrade shows on the stored record.
  const configFile = join(s.dir, 'sso.json');
  const config = { main: { encrypt_password: false } };
  writeFileSync(configFile, JSON.stringify(config));
  const args = [...s.args, '--config', configFile, '--zato-secret-key-file', zatoKeyFile()];
  assert.equal((await cli(['create-user', 'grace', '--password', 'Grace-edge-pass-1', ...args.slice(0, -2)])).code, 0);

  const first = await cli(['import-zato', SQLITE, ...args, '--json']);
  assertFirstRun(first);
  const text = await cli(['import-zato', SQLITE, ...args]);
  assert.equal(text.code, 26);
  assert.match(text.stdout, /^Zato users: 7; imported 0, updated 0, skipped 5, failed 2$/m);
  assert.match(text.stdout, /^ {2}failed: frank \(zusr\w+\): could not open the TOTP key/m);
  assertNoSecrets(text);
  const rerun = await cli(['import-zato', SQLITE, ...args, '--json']);
  assert.deepEqual([rerun.json.imported, rerun.json.updated, rerun.json.skipped, rerun.json.failed.length], [0, 0, 5, 2]);

  const record = () => JSON.parse(JSON.parse(readFileSync(s.path, 'utf8'))[`sso/user/${users.alice.user_id}`].value);
  assert.match(record().password, /^\$pbkdf2-sha512\$25000\$/);
  const usernames = Object.values(JSON.parse(readFileSync(s.path, 'utf8'))).map((e) => e.value).filter((v) => v.startsWith('{"user_id":"zusr') && v.includes('"username"'));
  assert.equal(usernames.length, 6, 'grace (edge-sso) and the five imported users, once each');

  await checkUsers(s.sso(config));
  assert.match(record().password, /^\$argon2id\$/);
  // The edge-sso grace is untouched.
  assert.ok((await s.sso(config).user.login(CID, 'grace', 'Grace-edge-pass-1', 'CRM', IP)).ust);

  const updated = await cli(['import-zato', SQLITE, ...args, '--update', '--json']);
  assert.deepEqual([updated.json.imported, updated.json.updated, updated.json.skipped, updated.json.failed.length], [0, 5, 0, 2]);
  assertNoSecrets(updated);
  // --update puts Zato's record back: the PBKDF2 hash, which still logs in.
  assert.match(record().password, /^\$pbkdf2-sha512\$/);
  assert.ok((await s.sso(config).user.login(CID, 'alice', users.alice.password, 'CRM', IP)).ust);
});

test('a wrong Zato secret key: no sealed value opens, nothing is imported, every user is listed with the reason', async () => {
  const s = fileStore();
  const wrong = Buffer.alloc(32, 7).toString('base64url');
  const r = await cli(['import-zato', SQLITE, ...s.args, '--zato-secret-key-file', zatoKeyFile(wrong), '--json']);
  assert.equal(r.code, 26);
  assert.equal(r.json.imported, 0);
  assert.equal(r.json.failed.length, 7);
  for (const f of r.json.failed) assert.match(f.reason, /^could not open the (password hash|email|TOTP key): the token does not verify with this key/);
  assertNoSecrets(r);
  const notAKey = await cli(['import-zato', SQLITE, ...s.args, '--zato-secret-key-file', zatoKeyFile('short'), '--json']);
  assert.equal(notAKey.code, 2);
  assert.match(notAKey.json.message, /Zato's secret key: the Fernet key must be 32 bytes/);
});

test('the Zato database: a missing file, a file that is not SQLite, a database without Zato\'s tables (exit 2)', async () => {
  const s = fileStore();
  const key = zatoKeyFile();
  const none = await cli(['import-zato', join(s.dir, 'none.sqlite'), ...s.args, '--zato-secret-key-file', key]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no such Zato database file/);
  const junk = join(s.dir, 'junk.sqlite');
  writeFileSync(junk, 'this is not a database, just text that is long enough to have a header page');
  const notSqlite = await cli(['import-zato', junk, ...s.args, '--zato-secret-key-file', key]);
  assert.equal(notSqlite.code, 2);
  assert.match(notSqlite.stderr, /is not a SQLite database/);
  const other = await cli(['import-zato', `postgres://${process.env.PGUSER}@/postgres?host=${encodeURIComponent(process.env.PGHOST)}&port=${process.env.PGPORT}`, ...s.args, '--zato-secret-key-file', key]);
  assert.equal(other.code, 2);
  assert.match(other.stderr, /has no zato_sso_user table/);
});

test('PostgreSQL into a PostgreSQL store: import, re-run, logins with Zato passwords (the sealed hash is replaced)', async () => {
  const conn = { host: process.env.PGHOST, port: Number(process.env.PGPORT), user: process.env.PGUSER };
  const admin = new pg.Client({ ...conn, database: 'postgres' });
  await admin.connect();
  await admin.query('CREATE DATABASE edge_import');
  await admin.end();
  const { keyFile, secretKey } = workdir();
  const store = `postgres://${conn.user}@/edge_import?host=${encodeURIComponent(conn.host)}&port=${conn.port}`;
  const args = ['--store', store, '--secret-key-file', keyFile, '--zato-secret-key-file', zatoKeyFile()];
  assert.equal((await cli(['create-user', 'grace', '--password', 'Grace-edge-pass-1', ...args.slice(0, 4)])).code, 0);

  assertFirstRun(await cli(['import-zato', ZATO_PG, ...args, '--json']));
  const rerun = await cli(['import-zato', ZATO_PG, ...args, '--json']);
  assert.deepEqual([rerun.json.imported, rerun.json.updated, rerun.json.skipped, rerun.json.failed.length], [0, 0, 5, 2]);

  const pool = new pg.Pool({ ...conn, database: 'edge_import', max: 4 });
  try {
    const stored = async () => (await pool.query("SELECT v FROM edge_sso WHERE k = $1", [`sso/user/${users.alice.user_id}`])).rows[0].v;
    const before = JSON.parse(await stored()).password;
    const sso = new Sso({ store: await PostgresStore.open(pool), secretKey });
    await checkUsers(sso);
    assert.notEqual(JSON.parse(await stored()).password, before);
    assert.equal((await pool.query("SELECT count(*)::int AS n FROM edge_sso WHERE k LIKE 'sso/user/%'")).rows[0].n, 6);
  } finally {
    await pool.end();
  }
});
