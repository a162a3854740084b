// Secrets kept off the command line (where `ps` and shell history show them): --password-file,
// --password - (stdin), --key-file, --key -, `logout -`; a missing or unreadable file, an empty
// one, and both forms at once are bad usage (exit 2); no secret ever appears in what is printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CID, IP, cli, fileStore, freshTotpCode } from './helpers.mjs';

const PASSWORD = 'Correct-horse-77';

/** What a run printed, anywhere. */
const printed = (r) => r.stdout + r.stderr;

test('--password-file: the first line (without its newline, \\r\\n too; spaces kept) is the password, never printed', async () => {
  const s = fileStore();
  const secret = '  File-held pass 42 ';
  const file = join(s.dir, 'pw');
  writeFileSync(file, `${secret}\r\nsecond line ignored\n`, { mode: 0o600 });
  const r = await cli(['create-user', 'fay', '--password-file', file, ...s.args]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!printed(r).includes(secret.trim()));
  assert.ok((await s.sso().user.login(CID, 'fay', secret, 'CRM', IP)).ust);
  await assert.rejects(s.sso().user.login(CID, 'fay', secret.trim(), 'CRM', IP), (e) => e.code === 'E005001');

  const next = 'Changed-from-file-9';
  writeFileSync(file, next); // no newline at all: the whole file
  const c = await cli(['change-user-password', 'fay', '--password-file', file, ...s.args, '--json']);
  assert.equal(c.code, 0, c.stdout);
  assert.ok(!printed(c).includes(next));
  assert.ok((await s.sso().user.login(CID, 'fay', next, 'CRM', IP)).ust);
});

test('--password -: the first line of stdin, for create-super-user and change-user-password', async () => {
  const s = fileStore();
  const secret = 'Piped-in-pass-2024';
  const r = await cli(['create-super-user', 'pip', '--password', '-', ...s.args, '--json'], { input: `${secret}\nnot this\n` });
  assert.equal(r.code, 0, r.stdout);
  assert.equal(r.json.is_super_user, true);
  assert.ok(!printed(r).includes(secret));
  assert.ok((await s.sso().user.login(CID, 'pip', secret, 'CRM', IP)).ust);

  const next = 'Piped-change-2025';
  const c = await cli(['change-user-password', 'pip', '--password', '-', '--must-change', 'false', ...s.args], { input: `${next}\n` });
  assert.equal(c.code, 0, c.stderr);
  assert.equal(c.stdout, 'Changed password for user `pip`\n');
  assert.ok((await s.sso().user.login(CID, 'pip', next, 'CRM', IP)).ust);
});

test('a missing, unreadable, empty or endless password file, empty stdin, or both forms: exit 2, a clear message, no secret', async () => {
  const s = fileStore();
  await cli(['create-user', 'gus', '--password', PASSWORD, ...s.args]);
  const folder = join(s.dir, 'a-folder');
  mkdirSync(folder);
  const empty = join(s.dir, 'empty');
  writeFileSync(empty, '\nSecond-line-secret-1\n');
  const good = join(s.dir, 'good');
  writeFileSync(good, 'Both-forms-secret-1\n');
  const cases = [
    [['change-user-password', 'gus', '--password-file', join(s.dir, 'missing')], {}, /--password-file \S+missing: no such file/],
    [['create-user', 'new', '--password-file', folder], {}, /--password-file \S+a-folder: is a folder, not a file/],
    [['create-user', 'new', '--password-file', empty], {}, /--password-file \S+empty: its first line is empty/],
    // /dev/zero never ends and has no newline: refused after 64 KiB, not read forever.
    [['create-user', 'new', '--password-file', '/dev/zero'], {}, /--password-file \/dev\/zero: no line within its first 65536 bytes/],
    [['change-user-password', 'gus', '--password', '-'], { input: '' }, /--password -: stdin was empty/],
    [['change-user-password', 'gus', '--password', '-'], { input: '\nSecond-line-secret-1\n' }, /--password -: stdin began with an empty line/],
    [['create-user', 'new', '--password', 'Both-forms-secret-1', '--password-file', good], {}, /give --password or --password-file, not both/],
    [['reset-totp-key', 'gus', '--key-file', join(s.dir, 'missing')], {}, /--key-file \S+missing: no such file/],
  ];
  for (const [args, options, message] of cases) {
    const r = await cli([...args, ...s.args], options);
    assert.equal(r.code, 2, `${args.join(' ')}: ${printed(r)}`);
    assert.match(r.stderr, message);
    assert.equal(r.stdout, '');
    assert.ok(!printed(r).includes('secret-1'), printed(r));
    const j = await cli([...args, ...s.args, '--json'], options);
    assert.equal(j.code, 2);
    assert.equal(j.json.error, 'usage');
    assert.match(j.json.message, message);
  }
  // Nothing was created or changed.
  assert.equal(await s.sso().admin.findUser(CID, 'new'), null);
  assert.ok((await s.sso().user.login(CID, 'gus', PASSWORD, 'CRM', IP)).ust);
});

test('a password from a file that the policy refuses: exit 21 with its codes, the password not in the message', async () => {
  const s = fileStore();
  const file = join(s.dir, 'pw');
  writeFileSync(file, 'shortpw\n');
  const r = await cli(['create-user', 'hal', '--password-file', file, ...s.args, '--json']);
  assert.equal(r.code, 21, r.stdout);
  assert.ok(r.json.sub_status.length > 0);
  assert.ok(!printed(r).includes('shortpw'));
});

test('reset-totp-key: --key-file and --key - set the given key, which is not printed; logout - reads the UST from stdin', async () => {
  const s = fileStore();
  await cli(['create-user', 'ivy', '--password', PASSWORD, ...s.args]);
  const key = 'JBSWY3DPEHPK3PXPJBSWY3DP';
  const file = join(s.dir, 'totp.key');
  writeFileSync(file, `${key}\n`);
  const fromFile = await cli(['reset-totp-key', 'ivy', '--key-file', file, ...s.args]);
  assert.equal(fromFile.code, 0, fromFile.stderr);
  assert.equal(fromFile.stdout, 'TOTP key for user `ivy` reset\n');
  const sso = s.sso();
  const { ust } = await sso.user.login(CID, 'ivy', PASSWORD, 'CRM', IP);
  await sso.user.updateCurrentUser(CID, { is_totp_enabled: true }, ust, 'CRM', IP);
  assert.ok((await s.sso().user.login(CID, 'ivy', PASSWORD, 'CRM', IP, { totpCode: await freshTotpCode(key) })).ust);

  // Another user: a code is accepted once per user and time step.
  await cli(['create-user', 'ike', '--password', PASSWORD, ...s.args]);
  const ike = await s.sso().user.login(CID, 'ike', PASSWORD, 'CRM', IP);
  await s.sso().user.updateCurrentUser(CID, { is_totp_enabled: true }, ike.ust, 'CRM', IP);
  const other = 'KRUGS4ZANFZSAYJAORSXG5BA';
  const fromStdin = await cli(['reset-totp-key', 'ike', '--key', '-', ...s.args, '--json'], { input: `${other}\n` });
  assert.equal(fromStdin.code, 0, fromStdin.stdout);
  assert.equal(fromStdin.json.key, undefined);
  assert.ok(!printed(fromStdin).includes(other));
  const session = await s.sso().user.login(CID, 'ike', PASSWORD, 'CRM', IP, { totpCode: await freshTotpCode(other) });
  const bad = await cli(['reset-totp-key', 'ike', '--key', '-', ...s.args, '--json'], { input: 'not base32!\n' });
  assert.equal(bad.code, 21);
  assert.deepEqual(bad.json.sub_status, ['E008002']);

  const out = await cli(['logout', '-', ...s.args], { input: `${session.ust}\n` });
  assert.equal(out.code, 0, out.stderr);
  assert.ok(!printed(out).includes(session.ust));
  await assert.rejects(s.sso().user.getCurrentUser(CID, session.ust, 'CRM', IP), (e) => e.code === 'E007001');
  const none = await cli(['logout', '-', ...s.args], { input: '' });
  assert.equal(none.code, 2);
  assert.match(none.stderr, /logout -: stdin was empty/);
});

test('--help says a --password or --key value is visible to other local users, and offers the file and stdin forms', async () => {
  for (const [command, name] of [['create-user', 'password'], ['create-super-user', 'password'], ['change-user-password', 'password'], ['reset-totp-key', 'key']]) {
    const h = await cli([command, '--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`--${name}-file VALUE +a file whose first line is`));
    assert.match(h.stdout, new RegExp(`--${name} VALUE .*visible to other local users \\(ps\\) and kept in shell history: prefer --${name}-file or --${name} -`));
  }
  assert.match((await cli(['logout', '--help'])).stdout, /`-`: the first line of stdin/);
});
