// The whole user lifecycle through the installed package: one test per area of the spec.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sso, MemoryStore, User } from 'edge-sso';
import { fixture, adminUst, rejectsWith, totp, merge, APP, ADDR, ADMIN, ADMIN_PW, KEY, FAST, T0 } from './helpers.mjs';

const PW = 'user passphrase 1';

async function withRegular(config) {
  const f = fixture({ config });
  const admin = await adminUst(f);
  const data = { username: 'u', password: PW };
  await f.sso.user.createUser(null, data, admin, APP, ADDR, { autoApprove: true });
  const ust = (await f.sso.user.login(null, 'u', PW, APP, ADDR)).ust;
  return { ...f, admin, ust, id: data.user_id };
}

test('update, approve, reject, lock, unlock (spec §3.5, §3.6, §3.8)', async () => {
  const f = await withRegular();
  await f.sso.user.updateCurrentUser(null, { display_name: 'New', email: 'u@example.com' }, f.ust, APP, ADDR);
  assert.equal((await f.sso.user.getCurrentUser(null, f.ust, APP, ADDR)).display_name, 'New');
  await rejectsWith(assert, f.sso.user.updateCurrentUser(null, { is_locked: true }, f.ust, APP, ADDR), 'E008002', false);
  const expiry = new Date(Date.UTC(2345, 11, 27, 11, 22, 33));
  await f.sso.user.updateUserById(null, f.id, { password_expiry: expiry, password_must_change: true }, f.admin, APP, ADDR);
  const u = await f.sso.user.getUserById(null, f.id, f.admin, APP, ADDR);
  assert.equal(u.password_expiry.getTime(), expiry.getTime());
  assert.equal(u.toJSON().password_expiry, '2345-12-27T11:22:33');
  await f.sso.user.rejectUser(null, f.id, f.admin, APP, ADDR);
  assert.equal((await f.sso.user.getUserById(null, f.id, f.admin, APP, ADDR)).approval_status, 'rejected');
  await f.sso.user.approveUser(null, f.id, f.admin, APP, ADDR);
  const approved = await f.sso.user.getUserById(null, f.id, f.admin, APP, ADDR);
  assert.ok(approved.approv_rej_time instanceof Date);
  await f.sso.user.lockUser(null, f.id, f.admin, APP, ADDR);
  await rejectsWith(assert, f.sso.user.login(null, 'u', PW, APP, ADDR), 'E005002', true);
  await f.sso.user.unlockUser(null, f.id, f.admin, APP, ADDR);
  await rejectsWith(assert, f.sso.user.login(null, 'u', PW, APP, ADDR), 'E003007', true);
  // Locking ended the user's sessions.
  await rejectsWith(assert, f.sso.user.approveUser(null, f.id, f.ust, APP, ADDR), 'E007001', false);
});

test('delete cascades (spec §3.7, §2.6)', async () => {
  const f = await withRegular();
  await f.sso.user.attr.create(null, 'colour', 'blue', f.ust, APP, ADDR);
  await f.sso.user.deleteUserById(null, f.id, f.admin, APP, ADDR);
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, f.ust, APP, ADDR), 'E007001', false);
  assert.ok(f.store.entries().every(([k, v]) => !k.includes(f.id) && !v.includes(f.id)));
  await rejectsWith(assert, f.sso.user.deleteUserByUsername(null, 'u', f.admin, APP, ADDR), 'E008001', false);
});

test('changePassword and setPassword end other sessions (spec §3.10, §3.11)', async () => {
  const f = await withRegular();
  const second = (await f.sso.user.login(null, 'u', PW, APP, ADDR)).ust;
  await rejectsWith(assert, f.sso.user.changePassword(null, { old_password: 'nope', new_password: 'next passphrase' }, f.ust, APP, ADDR), 'E005001', true);
  await f.sso.user.changePassword(null, { old_password: PW, new_password: 'next passphrase' }, f.ust, APP, ADDR);
  await f.sso.user.getCurrentUser(null, f.ust, APP, ADDR);
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, second, APP, ADDR), 'E007001');
  await f.sso.user.setPassword(null, f.id, 'third passphrase', APP, ADDR, { mustChange: false, passwordExpiry: 29 });
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, f.ust, APP, ADDR), 'E007001');
  const r = await f.sso.user.login(null, 'u', 'third passphrase', APP, ADDR);
  assert.equal(r.has_w_about_to_exp, true, '29 days is inside the 30-day warning window');
});

test('TOTP: reset the key, enable it, log in with a code, validateCode, provisioning URI (spec §3.12, §3.15)', async () => {
  const f = await withRegular();
  const key = await f.sso.user.resetTotpKey(null, f.ust, APP, ADDR, { keyLabel: 'phone' });
  assert.match(key, /^[A-Z2-7]{32}$/);
  await f.sso.user.updateCurrentUser(null, { is_totp_enabled: true }, f.ust, APP, ADDR);
  await rejectsWith(assert, f.sso.user.login(null, 'u', PW, APP, ADDR), 'E005008', true);
  const code = totp(key, f.clock.now);
  assert.ok((await f.sso.user.login(null, 'u', PW, APP, ADDR, { totpCode: code })).ust);
  // The code was used to log in: it is not accepted again (RFC 6238 §5.2); the next one is.
  await rejectsWith(assert, f.sso.totp.validateCode(null, code, APP, ADDR, { username: 'u' }), 'E005001', false);
  f.clock.now += 30_000;
  assert.equal(await f.sso.totp.validateCode(null, totp(key, f.clock.now), APP, ADDR, { username: 'u' }), true);
  const uri = await f.sso.totp.provisioningUri(key, 'u@example.com', { issuer: 'ACME Corp' });
  const parsed = new URL(uri);
  assert.equal(parsed.protocol, 'otpauth:');
  assert.equal(parsed.host, 'totp');
  assert.equal(decodeURIComponent(parsed.pathname), '/ACME Corp:u@example.com');
  assert.equal(parsed.searchParams.get('secret'), key);
  assert.equal(parsed.searchParams.get('issuer'), 'ACME Corp');
  assert.ok(!JSON.stringify(f.events).includes(key));
});

test('search with paging returns Users (spec §6)', async () => {
  const f = fixture();
  const admin = await adminUst(f);
  for (let i = 0; i < 5; i++) await f.sso.user.createUser(null, { username: `p${i}`, display_name: `Person ${i}` }, admin, APP, ADDR);
  const r = await f.sso.user.search(null, { display_name: 'person', is_name_exact: false, page_size: 2, cur_page: 2 }, admin, APP, ADDR);
  assert.equal(r.total, 5);
  assert.equal(r.num_pages, 3);
  assert.equal(r.has_next_page, true);
  assert.deepEqual(r.result.map((u) => u.username), ['p2', 'p3']);
  assert.ok(r.result[0] instanceof User);
  assert.ok(r.result[0].sign_up_time instanceof Date);
  // A page far past the end is empty: its offset (over 2^32) must not wrap round in the wasm.
  const far = await f.sso.user.search(null, { display_name: 'person', is_name_exact: false, page_size: 50, cur_page: 85_899_347 }, admin, APP, ADDR);
  assert.deepEqual(far.result, []);
});

test('signup and confirmSignup (spec §3.2, §3.3)', async () => {
  const f = fixture({ config: { signup: { is_approval_needed: false } } });
  await f.sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const token = await f.sso.user.signup(null, { username: 'newbie', password: PW, app_list: ['CRM'] }, APP, ADDR);
  assert.equal(typeof token, 'string');
  await rejectsWith(assert, f.sso.user.login(null, 'newbie', PW, APP, ADDR), 'E005003', true);
  await f.sso.user.confirmSignup(null, token, APP, ADDR);
  assert.ok((await f.sso.user.login(null, 'newbie', PW, APP, ADDR)).ust);
  await rejectsWith(assert, f.sso.user.confirmSignup(null, token, APP, ADDR), 'E005007', false);
});

test('sessions: verify, renew, get, getList with history, and the expiry hook (spec §3.14, §4.4, §4.5)', async () => {
  const clock = { now: T0 };
  const sso = new Sso({
    store: new MemoryStore({ now: () => clock.now }), secretKey: KEY, now: () => clock.now, config: FAST,
    hooks: { sessionExpiry: ({ username }) => (username === ADMIN ? 15 : undefined) },
  });
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const { ust, expiration_time } = await sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR, { userAgent: 'ua/1' });
  assert.equal(expiration_time.getTime() - T0, 15 * 60_000);
  assert.equal(await sso.user.session.verify(null, ust, ust, APP, ADDR), true);
  assert.equal(await sso.user.session.verify(null, 'nope', ust, APP, ADDR), false);
  clock.now += 60_000;
  const renewed = await sso.user.session.renew(null, ust, APP, ADDR, { userAgent: 'ua/2' });
  assert.ok(renewed instanceof Date);
  assert.equal(renewed.getTime(), clock.now + 15 * 60_000);
  const s = await sso.user.session.get(null, ust, ust, APP, ADDR);
  assert.equal(s.user_agent, 'ua/1');
  const [item] = await sso.user.session.getList(null, ust, null, null, APP, ADDR);
  assert.deepEqual(item.session_state_change_list.map((h) => h.ctx_source), ['login', 'renew']);
  assert.ok(item.creation_time instanceof Date);
  assert.equal('ust' in item, false);
});

test('user and session attributes (spec §3.17)', async () => {
  const f = await withRegular();
  await f.sso.user.attr.create(null, 'colour', 'blue', f.ust, APP, ADDR, { expiration: 900 });
  await rejectsWith(assert, f.sso.user.attr.create(null, 'colour', 'red', f.ust, APP, ADDR), 'E009001', false);
  const e = await f.sso.user.attr.get(null, 'colour', f.ust, APP, ADDR);
  assert.equal(e.value, 'blue');
  assert.ok(e.expiration_time instanceof Date);
  await f.sso.user.attr.createMany(null, [{ name: 'a', value: 1 }, { name: 'b', value: { deep: true }, encrypt: false }], f.ust, APP, ADDR);
  assert.deepEqual(await f.sso.user.attr.exists(null, ['a', 'zzz'], f.ust, APP, ADDR), { a: true, zzz: false });
  assert.deepEqual((await f.sso.user.attr.names(null, f.ust, APP, ADDR)).sort(), ['a', 'b', 'colour']);
  await f.sso.user.attr.set(null, 'a', 2, f.ust, APP, ADDR);
  assert.equal((await f.sso.user.attr.get(null, 'a', f.ust, APP, ADDR)).value, 2);
  await f.sso.user.attr.delete(null, ['a', 'b'], f.ust, APP, ADDR);
  assert.deepEqual(await f.sso.user.attr.names(null, f.ust, APP, ADDR), ['colour']);
  await rejectsWith(assert, f.sso.user.attr.names(null, f.ust, APP, ADDR, { userId: 'zusrsomeoneelse' }), 'E005001', false);
  await f.sso.user.session.attr.create(null, 'cart', [1], f.ust, f.ust, APP, ADDR);
  assert.deepEqual((await f.sso.user.session.attr.get(null, 'cart', f.ust, f.admin, APP, ADDR)).value, [1]);
  // The *Many forms exist for session attributes too (Zato's session attribute API is the user one).
  const sa = f.sso.user.session.attr;
  await sa.create(null, 'wish', 'w', f.ust, f.ust, APP, ADDR);
  assert.deepEqual(await sa.existsMany(null, ['cart', 'wish', 'none'], f.ust, f.ust, APP, ADDR), { cart: true, wish: true, none: false });
  assert.deepEqual(Object.keys(await sa.getMany(null, ['cart', 'wish'], f.ust, f.ust, APP, ADDR)), ['cart', 'wish']);
  await sa.deleteMany(null, ['cart', 'wish'], f.ust, f.ust, APP, ADDR);
  assert.deepEqual(await sa.names(null, f.ust, f.ust, APP, ADDR), []);
  await f.sso.user.attr.create(null, 'secret', 'hush-hush', f.ust, APP, ADDR, { encrypt: true });
  assert.ok(f.store.entries().every(([, v]) => !v.includes('hush-hush')));
});

test('password reset through a delivery hook (spec §3.16)', async () => {
  const sent = [];
  const clock = { now: T0 };
  const sso = new Sso({
    store: new MemoryStore(), secretKey: KEY, now: () => clock.now, config: merge(FAST, { signup: { is_approval_needed: false } }),
    hooks: { sendPasswordReset: async (msg) => { sent.push(msg); } },
  });
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW, email: 'admin@example.com' });
  await sso.passwordReset.createToken(null, 'nobody', APP, ADDR);
  assert.equal(sent.length, 0, 'no user, no message, and no error either');
  await sso.passwordReset.createToken(null, ADMIN, APP, ADDR, { userAgent: 'ua' });
  assert.equal(sent.length, 1);
  assert.equal(sent[0].email, 'admin@example.com');
  const resetKey = await sso.passwordReset.accessToken(null, sent[0].token, APP, ADDR);
  await sso.passwordReset.changePassword(null, 'a reset passphrase', sent[0].token, resetKey, APP, ADDR);
  await rejectsWith(assert, sso.passwordReset.changePassword(null, 'again passphrase', sent[0].token, resetKey, APP, ADDR), 'E010001', false);
  assert.ok((await sso.user.login(null, ADMIN, 'a reset passphrase', APP, ADDR)).ust);
});

test('cleanup removes expired records the store does not expire by itself', async () => {
  const f = await withRegular();
  await f.sso.user.attr.create(null, 'short', 1, f.ust, APP, ADDR, { expiration: 60 });
  await f.sso.user.attr.create(null, 'long', 2, f.ust, APP, ADDR);
  f.clock.now += 120_000;
  const report = await f.sso.cleanup();
  assert.deepEqual(report, { sessions: 0, attributes: 1, reset_tokens: 0, orphans: 0, throttle_counters: 0 });
  assert.deepEqual(await f.sso.user.attr.names(null, f.ust, APP, ADDR), ['long']);
  assert.deepEqual(await f.sso.cleanup(new Date(f.clock.now)), { sessions: 0, attributes: 0, reset_tokens: 0, orphans: 0, throttle_counters: 0 });
});

test('unknown operations and extra arguments are refused', async () => {
  const f = fixture();
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, 'x', APP, ADDR, 'extra'), 'E008002', false);
});

test('passwordExpirySweep lists users whose password expires soon (spec §3.19)', async () => {
  const f = await withRegular();
  const soon = await f.sso.passwordExpirySweep(new Date(f.clock.now + 720 * 86400_000));
  assert.deepEqual(soon.map((u) => u.username), ['admin', 'u']);
  assert.equal(soon[0].is_password_about_to_expire, true);
  assert.deepEqual(await f.sso.passwordExpirySweep(), []);
});
