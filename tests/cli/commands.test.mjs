// Every command of `edge-sso`, through the installed package, on a file store: what it does to
// the store (checked in-process through the package), its output, --json and its exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CID, IP, cli, fileStore, freshTotpCode } from './helpers.mjs';

const PASSWORD = 'Correct-horse-77';

test('create-user and create-super-user: approved at once, created by `auto`, --json gives the user_id', async () => {
  const s = fileStore();
  const su = await cli(['create-super-user', 'root1', '--password', PASSWORD, '--email', 'root@example.com', ...s.args, '--json']);
  assert.equal(su.code, 0, su.stderr);
  assert.equal(su.json.status, 'ok');
  assert.equal(su.json.is_super_user, true);
  assert.match(su.json.user_id, /^zusr/);
  const u = await cli(['create-user', 'jo', '--password', PASSWORD, '--first-name', 'Jo', '--last-name', 'March', ...s.args]);
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stdout, /^Created user `jo` \(zusr\w+\)\n$/);

  const sso = s.sso();
  const root = await sso.admin.findUser(CID, 'root1');
  assert.equal(root.is_super_user, true);
  assert.equal(root.email, 'root@example.com');
  assert.equal(root.approval_status, 'approved');
  assert.equal(root.approval_status_mod_by, 'auto');
  assert.equal(root.sign_up_status, 'final');
  const jo = await sso.admin.findUser(CID, 'jo');
  assert.equal(jo.is_super_user, false);
  assert.equal(jo.display_name, 'Jo March');
  const session = await sso.user.login(CID, 'jo', PASSWORD, 'CRM', IP);
  assert.match(session.ust, /\S{20,}/);
});

test('create-user: "user exists" is exit 20, a password the policy refuses is exit 21 with its codes, --config applies', async () => {
  const s = fileStore();
  assert.equal((await cli(['create-user', 'amy', '--password', PASSWORD, ...s.args])).code, 0);
  const again = await cli(['create-user', 'amy', '--password', PASSWORD, ...s.args]);
  assert.equal(again.code, 20);
  assert.match(again.stderr, /user exists: amy/);
  const againJson = await cli(['create-super-user', 'amy', '--password', PASSWORD, ...s.args, '--json']);
  assert.deepEqual({ ...againJson.json, message: undefined }, { status: 'error', command: 'create-super-user', exit_code: 20, error: 'user_exists', message: undefined, sub_status: [] });

  const short = await cli(['create-user', 'beth', '--password', 'short', ...s.args, '--json']);
  assert.equal(short.code, 21);
  assert.equal(short.json.error, 'validation_error');
  assert.deepEqual(short.json.sub_status, ['E003002']);
  const listed = await cli(['create-user', 'beth', '--password', 'my-password-123456', ...s.args]);
  assert.equal(listed.code, 21);
  assert.match(listed.stderr, /validation error, codes: E003001/);

  const { writeFileSync } = await import('node:fs');
  const config = `${s.dir}/sso.json`;
  writeFileSync(config, JSON.stringify({ password: { min_length: 20 } }));
  const tooShortHere = await cli(['create-user', 'beth', '--password', PASSWORD, '--config', config, ...s.args, '--json']);
  assert.equal(tooShortHere.code, 21);
  assert.deepEqual(tooShortHere.json.sub_status, ['E003002']);
  assert.equal(await s.sso().admin.findUser(CID, 'beth'), null);
});

test('lock-user and unlock-user: locked_by is <os-user>@<host>; a locked user cannot log in (exit 1, E005002)', async () => {
  const s = fileStore();
  await cli(['create-user', 'kim', '--password', PASSWORD, ...s.args]);
  const locked = await cli(['lock-user', 'kim', ...s.args, '--json']);
  assert.equal(locked.code, 0, locked.stderr);
  assert.match(locked.json.locked_by, /^.+@.+$/);
  const kim = await s.sso().admin.findUser(CID, 'kim');
  assert.equal(kim.is_locked, true);
  assert.equal(kim.locked_by, locked.json.locked_by);
  const refused = await cli(['login', 'kim', ...s.args, '--json']);
  assert.equal(refused.code, 1);
  assert.deepEqual(refused.json.sub_status, ['E005002']);
  const unlocked = await cli(['unlock-user', 'kim', ...s.args]);
  assert.equal(unlocked.code, 0);
  assert.equal(unlocked.stdout, 'Unlocked user account `kim`\n');
  assert.equal((await s.sso().admin.findUser(CID, 'kim')).is_locked, false);
});

test('login (no password, no TOTP code) prints a working UST; logout ends it', async () => {
  const s = fileStore();
  await cli(['create-user', 'lee', '--password', PASSWORD, ...s.args]);
  // TOTP on: the trusted login needs no code (spec O-44, decided as recommended)
  const sso = s.sso();
  const first = await sso.user.login(CID, 'lee', PASSWORD, 'CRM', IP);
  await sso.user.updateCurrentUser(CID, { is_totp_enabled: true }, first.ust, 'CRM', IP);
  await assert.rejects(sso.user.login(CID, 'lee', PASSWORD, 'CRM', IP), (e) => e.code === 'E005008');
  const login = await cli(['login', 'lee', ...s.args, '--json']);
  assert.equal(login.code, 0, login.stderr);
  const { ust } = login.json.session;
  assert.equal(login.json.session.username, 'lee');
  assert.equal(login.json.session.device_token, undefined);
  const me = await s.sso().user.getCurrentUser(CID, ust, 'CRM', IP);
  assert.equal(me.username, 'lee');
  const text = await cli(['login', 'lee', ...s.args]);
  assert.match(text.stdout, /^User `lee` logged in\n {2}.*ust: \S+/s);

  const out = await cli(['logout', ust, ...s.args]);
  assert.equal(out.code, 0, out.stderr);
  await assert.rejects(s.sso().user.getCurrentUser(CID, ust, 'CRM', IP), (e) => e.code === 'E007001');
  const unknown = await cli(['logout', 'not-a-ust', ...s.args, '--json']);
  assert.equal(unknown.code, 1);
  assert.deepEqual(unknown.json.sub_status, ['E007001']);
});

test('change-user-password: --expiry in whole days (O-46), --must-change, the policy (exit 21)', async () => {
  const s = fileStore();
  await cli(['create-user', 'max', '--password', PASSWORD, ...s.args]);
  const before = Date.now();
  const r = await cli(['change-user-password', 'max', '--password', 'Another-good-pass-9', '--expiry', '30', '--must-change', 'true', ...s.args]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'Changed password for user `max`\n');
  const max = await s.sso().admin.findUser(CID, 'max');
  assert.equal(max.password_must_change, true);
  const days = (max.password_expiry.getTime() - before) / 86_400_000;
  assert.ok(days > 29.9 && days < 30.1, `expiry in ${days} days`);
  // must change: a login with the new password asks for another one (E003007)
  await assert.rejects(s.sso().user.login(CID, 'max', 'Another-good-pass-9', 'CRM', IP), (e) => e.code === 'E003007');

  const weak = await cli(['change-user-password', 'max', '--password', 'qwerty-qwerty', ...s.args, '--json']);
  assert.equal(weak.code, 21);
  assert.deepEqual(weak.json.sub_status, ['E003001']);
  for (const bad of ['3x', '0', '-1', '1.5', '', '36501']) {
    const u = await cli(['change-user-password', 'max', '--password', 'Another-good-pass-9', `--expiry=${bad}`, ...s.args]);
    assert.equal(u.code, 2, `--expiry ${bad}`);
    assert.match(u.stderr, /--expiry takes a whole number of days/);
  }
  const mustChange = await cli(['change-user-password', 'max', '--password', 'Another-good-pass-9', '--must-change', 'perhaps', ...s.args]);
  assert.equal(mustChange.code, 2);
  const noPassword = await cli(['change-user-password', 'max', ...s.args]);
  assert.equal(noPassword.code, 2);
  assert.match(noPassword.stderr, /--password is required/);
});

test('reset-user-password prints the generated password, which logs in', async () => {
  const s = fileStore();
  await cli(['create-user', 'ned', '--password', PASSWORD, ...s.args]);
  const r = await cli(['reset-user-password', 'ned', ...s.args]);
  assert.equal(r.code, 0, r.stderr);
  const [, password] = /^Password for user `ned` reset to (\S+)\n$/.exec(r.stdout);
  assert.equal(password.length, 32);
  await assert.rejects(s.sso().user.login(CID, 'ned', PASSWORD, 'CRM', IP), (e) => e.code === 'E005001');
  assert.ok((await s.sso().user.login(CID, 'ned', password, 'CRM', IP)).ust);
  const j = await cli(['reset-user-password', 'ned', '--expiry', '7', '--must-change', 'false', ...s.args, '--json']);
  assert.equal(j.code, 0);
  assert.equal(j.json.password.length, 32);
  assert.notEqual(j.json.password, password);
});

test('reset-totp-key: a generated key is printed and works; a given key is checked (exit 21) and not printed', async () => {
  const s = fileStore();
  await cli(['create-user', 'ola', '--password', PASSWORD, ...s.args]);
  const gen = await cli(['reset-totp-key', 'ola', ...s.args, '--json']);
  assert.equal(gen.code, 0, gen.stderr);
  assert.match(gen.json.key, /^[A-Z2-7]{16,}=*$/);
  const sso = s.sso();
  const { ust } = await sso.user.login(CID, 'ola', PASSWORD, 'CRM', IP);
  await sso.user.updateCurrentUser(CID, { is_totp_enabled: true }, ust, 'CRM', IP);
  await assert.rejects(sso.user.login(CID, 'ola', PASSWORD, 'CRM', IP), (e) => e.code === 'E005008');
  assert.ok((await sso.user.login(CID, 'ola', PASSWORD, 'CRM', IP, { totpCode: await freshTotpCode(gen.json.key) })).ust);

  // Another user: a code is accepted once per user and time step.
  await cli(['create-user', 'oli', '--password', PASSWORD, ...s.args]);
  const given = 'JBSWY3DPEHPK3PXPJBSWY3DP';
  const set = await cli(['reset-totp-key', 'oli', '--key', given, '--key-label', 'Phone', ...s.args]);
  assert.equal(set.code, 0, set.stderr);
  assert.equal(set.stdout, 'TOTP key for user `oli` reset\n');
  assert.ok(!set.stdout.includes(given));
  const oli = await s.sso().user.login(CID, 'oli', PASSWORD, 'CRM', IP);
  await s.sso().user.updateCurrentUser(CID, { is_totp_enabled: true }, oli.ust, 'CRM', IP);
  assert.ok((await s.sso().user.login(CID, 'oli', PASSWORD, 'CRM', IP, { totpCode: await freshTotpCode(given) })).ust);
  assert.equal((await s.sso().admin.findUser(CID, 'oli')).totp_label, 'Phone');
  const setJson = await cli(['reset-totp-key', 'oli', '--key', given, ...s.args, '--json']);
  assert.equal(setJson.json.key, undefined);

  const bad = await cli(['reset-totp-key', 'ola', '--key', 'not base32!', ...s.args, '--json']);
  assert.equal(bad.code, 21);
  assert.deepEqual(bad.json.sub_status, ['E008002']);
});

test('delete-user asks first: no (or no answer) keeps the user (exit 24), yes or --yes deletes', async () => {
  const s = fileStore();
  await cli(['create-user', 'pat', '--password', PASSWORD, ...s.args]);
  const no = await cli(['delete-user', 'pat', ...s.args], { input: 'n\n' });
  assert.equal(no.code, 24);
  assert.match(no.stderr, /Delete user `pat`\? \[y\/N\]/);
  const silent = await cli(['delete-user', 'pat', ...s.args], { input: '' });
  assert.equal(silent.code, 24);
  assert.ok(await s.sso().admin.findUser(CID, 'pat'));
  const yes = await cli(['delete-user', 'pat', ...s.args], { input: 'y\n' });
  assert.equal(yes.code, 0, yes.stderr);
  assert.equal(yes.stdout, 'Deleted user `pat`\n');
  assert.equal(await s.sso().admin.findUser(CID, 'pat'), null);
  await cli(['create-user', 'pat', '--password', PASSWORD, ...s.args]);
  const forced = await cli(['delete-user', 'pat', '--yes', ...s.args, '--json']);
  assert.equal(forced.code, 0);
  assert.equal(forced.json.username, 'pat');
  assert.equal(await s.sso().admin.findUser(CID, 'pat'), null);
});

test('"no such SSO user" (exit 22) for every command that takes a username, also for a user not approved', async () => {
  const s = fileStore();
  await cli(['create-super-user', 'boss', '--password', PASSWORD, ...s.args]);
  const sso = s.sso();
  const { ust } = await sso.user.login(CID, 'boss', PASSWORD, 'CRM', IP);
  await sso.user.createUser(CID, { username: 'waiting', password: PASSWORD }, ust, 'CRM', IP); // before_decision
  assert.equal((await sso.admin.findUser(CID, 'waiting')), null);
  const commands = [
    ['delete-user', '--yes'], ['lock-user'], ['unlock-user'], ['login'], ['change-user-password', '--password', 'Another-good-pass-9'],
    ['reset-user-password'], ['reset-totp-key'],
  ];
  for (const name of ['nobody', 'waiting']) {
    for (const [command, ...rest] of commands) {
      const r = await cli([command, name, ...rest, ...s.args, '--json']);
      assert.equal(r.code, 22, `${command} ${name}: ${r.stdout}${r.stderr}`);
      assert.equal(r.json.error, 'no_such_user');
      assert.equal(r.json.message, `no such SSO user: ${name}`);
    }
  }
});
