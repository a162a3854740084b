// The command line's parts on their own, from the installed package: Fernet opening of tokens
// that Python's cryptography made (make_zato_db.py), altered and foreign tokens refused before
// any decryption, Zato's `open()` pass-through, timestamps from SQLite and PostgreSQL, and the
// progress bar (drawn on a terminal only).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import initSqlJs from 'sql.js';
import { Fernet, openZatoValue } from './node_modules/edge-sso/lib/cli/fernet.js';
import { toZatoTime } from './node_modules/edge-sso/lib/cli/zato-reader.js';
import { Progress } from './node_modules/edge-sso/lib/cli/progress.js';

const fixtures = process.env.ZATO_FIXTURES;
if (!fixtures) throw new Error('run these tests with `make test-cli`');
const expected = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));

async function sealedTotpKey(username) {
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(join(fixtures, 'zato.sqlite')));
  try {
    const stmt = db.prepare('SELECT totp_key FROM zato_sso_user WHERE username = ?');
    stmt.bind([username]);
    stmt.step();
    const [value] = stmt.get();
    stmt.free();
    return value;
  } finally {
    db.close();
  }
}

test('Fernet opens what Python\'s cryptography sealed; an altered, truncated or foreign token is refused', async () => {
  const fernet = new Fernet(expected.zato_secret_key);
  const sealed = await sealedTotpKey('alice');
  assert.match(sealed, /^zato\.secf\.gAAAA/);
  assert.equal(openZatoValue(fernet, sealed), expected.users.alice.totp_key);
  const token = sealed.slice('zato.secf.'.length);
  assert.equal(fernet.decryptText(token), expected.users.alice.totp_key);

  const raw = Buffer.from(token, 'base64url');
  for (const at of [9, 30, raw.length - 40, raw.length - 1]) { // IV, ciphertext, last block, MAC
    const altered = Buffer.from(raw);
    altered[at] ^= 1;
    assert.throws(() => fernet.decrypt(altered.toString('base64url')), /does not verify with this key/, `byte ${at}`);
  }
  assert.throws(() => fernet.decrypt(raw.subarray(0, 60).toString('base64url')), /not a Fernet token/);
  const foreign = await sealedTotpKey('frank'); // sealed by another deployment's key
  assert.throws(() => openZatoValue(fernet, foreign), /does not verify with this key/);
  assert.throws(() => new Fernet('c2hvcnQ='), /must be 32 bytes/);
  assert.throws(() => new Fernet('not base64 at all!'), /not url-safe base64/);
});

test('Zato\'s open(): values stored in clear pass through; null stays null; a `zato.secf.` value must be a token', () => {
  const fernet = new Fernet(expected.zato_secret_key);
  assert.equal(openZatoValue(fernet, 'bob@example.com'), 'bob@example.com');
  assert.equal(openZatoValue(fernet, '$pbkdf2-sha512$25000$abc$def'), '$pbkdf2-sha512$25000$abc$def');
  assert.equal(openZatoValue(fernet, null), null);
  assert.throws(() => openZatoValue(fernet, 'zato.secf.plain'), /not a Fernet token/);
});

test('timestamps from SQLite and PostgreSQL become Zato\'s naive UTC format', () => {
  assert.equal(toZatoTime('2024-01-02 03:04:05.123456'), '2024-01-02T03:04:05.123456');
  assert.equal(toZatoTime('2024-01-02 03:04:05'), '2024-01-02T03:04:05');
  assert.equal(toZatoTime('2024-01-02 03:04:05.000000'), '2024-01-02T03:04:05');
  assert.equal(toZatoTime('2024-01-02 03:04:05.5'), '2024-01-02T03:04:05.500000');
  assert.equal(toZatoTime('2024-01-02 03:04:05.123456+00'), '2024-01-02T03:04:05.123456');
  assert.equal(toZatoTime('2024-01-02 03:04:05+02'), '2024-01-02T01:04:05');
  assert.equal(toZatoTime('2024-01-02T03:04:05.25-01:30'), '2024-01-02T04:34:05.250000');
  assert.equal(toZatoTime(null), null);
  assert.throws(() => toZatoTime('yesterday'), /unreadable timestamp/);
});

test('the progress bar draws on a terminal only, counts and percent, and ends its line', () => {
  const writes = [];
  const tty = { isTTY: true, write: (s) => writes.push(s) };
  const p = new Progress('import-zato', 4, { stream: tty });
  for (let i = 0; i < 4; i++) p.tick();
  p.finish();
  assert.match(writes.at(-2), /^\rimport-zato \[#{30}\] 4\/4 100%$/);
  assert.equal(writes.at(-1), '\n');
  assert.match(writes[0], /^\rimport-zato \[#{8}\.{22}\] 1\/4 25%$/);

  const quiet = [];
  const pipe = { isTTY: false, write: (s) => quiet.push(s) };
  const q = new Progress('import-zato', 4, { stream: pipe });
  q.tick();
  q.finish();
  assert.deepEqual(quiet, []);
});

test('a secret typed on the terminal for `--NAME -` may not be empty (an empty TOTP key would be generated unseen)', async () => {
  const { secretFrom } = await import('./node_modules/edge-sso/lib/cli/secrets.js');
  const tty = { isTTY: true };
  await assert.rejects(secretFrom({ key: '-' }, 'key', { ask: async () => '', input: tty }), (e) => e.exitCode === 2 && /nothing was typed/.test(e.message));
  await assert.rejects(secretFrom({ key: '-' }, 'key', { ask: async () => undefined, input: tty }), /nothing was typed/);
  assert.equal(await secretFrom({ key: '-' }, 'key', { ask: async () => 'JBSWY3DPEHPK3PXP', input: tty }), 'JBSWY3DPEHPK3PXP');
});
