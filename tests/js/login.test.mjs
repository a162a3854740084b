// The login pipeline (spec §4.1 L1–L9, §4.2 C1–C7, §4.3) through the installed package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, adminUst, rejectsWith, totp, APP, ADDR } from './helpers.mjs';

const PW = 'user passphrase 1';
const KEY = 'JBSWY3DPEHPK3PXP';

async function withUser(config = {}, extra = {}) {
  const f = fixture({ config: { signup: { is_approval_needed: false }, ...config } });
  const admin = await adminUst(f);
  await f.sso.user.createUser(null, { username: 'u', password: PW, ...extra }, admin, APP, ADDR);
  const login = (opts, app = APP, addr = ADDR, pw = PW, name = 'u') => f.sso.user.login(null, name, pw, app, addr, opts);
  return { ...f, admin, login };
}

test('L1/L2: unknown user, unapproved user, wrong and empty password all give a hidden E005001', async () => {
  const f = fixture();
  const admin = await adminUst(f);
  await f.sso.user.createUser(null, { username: 'pending', password: PW }, admin, APP, ADDR);
  for (const [u, p] of [['nobody', PW], ['pending', PW], ['admin', 'wrong passphrase'], ['admin', ''], ['', PW], [null, PW]]) {
    await rejectsWith(assert, f.sso.user.login(null, u, p, APP, ADDR), 'E005001', false);
  }
});

test('L3: TOTP missing (E005008), wrong (E005001) and right', async () => {
  const f = await withUser({}, { is_totp_enabled: true, totp_key: KEY });
  await rejectsWith(assert, f.login(), 'E005008', true);
  const right = totp(KEY, f.clock.now);
  const wrong = right === '123456' ? '654321' : '123456';
  await rejectsWith(assert, f.login({ totpCode: wrong }), 'E005001', false);
  await rejectsWith(assert, f.login({ totpCode: 'invalid' }), 'E005001', false);
  const r = await f.login({ totpCode: right });
  assert.ok(r.ust);
});

test('L4: an app outside login_allowed gets E004001', async () => {
  const f = await withUser({ apps: { all: ['CRM', 'Other'], login_allowed: ['CRM'] } });
  await rejectsWith(assert, f.login({}, 'Other'), 'E004001', true);
});

test('C2: the IP allow list', async () => {
  const f = await withUser({ user_address_list: { u: ['192.168.0.0/16'] } });
  await rejectsWith(assert, f.login(), 'E005001', true);
  assert.ok((await f.login({}, APP, '192.168.3.4')).ust);
  await rejectsWith(assert, f.login({}, APP, 'not an address'), 'E008002', false);
});

test('C3/C4: locked and unconfirmed users', async () => {
  const locked = await withUser({}, { is_locked: true });
  await rejectsWith(assert, locked.login(), 'E005002', true);
  const unconfirmed = await withUser({}, { sign_up_status: 'before_confirmation' });
  await rejectsWith(assert, unconfirmed.login(), 'E005003', true);
});

test('C6 and L6: expired password refused, about-to-expire warned', async () => {
  const f = await withUser();
  f.clock.now += 701 * 86400_000;
  const r = await f.login();
  assert.equal(r.has_w_about_to_exp, true);
  f.clock.now += 30 * 86400_000;
  await rejectsWith(assert, f.login(), 'E005001', true);
  const g = await withUser({ password: { inform_if_expired: true } });
  g.clock.now += 731 * 86400_000;
  await rejectsWith(assert, g.login(), 'E003004', true);
});

test('L7/L8: a forced password change', async () => {
  const f = await withUser({}, { password_must_change: true });
  await rejectsWith(assert, f.login(), 'E003007', true);
  await rejectsWith(assert, f.login({ newPassword: 'short' }), 'E003002', true);
  assert.ok((await f.login({ newPassword: 'brand new passphrase' })).ust);
  await rejectsWith(assert, f.login(), 'E005001', false);
  assert.ok((await f.login({}, APP, ADDR, 'brand new passphrase')).ust);
});

test('a session fails once its user is locked, and after expiry', async () => {
  const f = await withUser();
  const { ust } = await f.login();
  f.clock.now += 61 * 60_000;
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001', false);
});
