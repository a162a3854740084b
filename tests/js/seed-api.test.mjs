// The seed API through the installed package: createSuperUser, createUser, getCurrentUser,
// getUserById, login, logout (spec §3.1, §3.4, §4; ARCHITECTURE.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sso, SsoError, User, MemoryStore } from 'edge-sso';
import { fixture, adminUst, rejectsWith, APP, ADDR, ADMIN, ADMIN_PW, T0 } from './helpers.mjs';

test('createUser enriches data in place, removes the password and resolves undefined', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const data = { username: 'user1', password: 'a good passphrase', password_must_change: true, display_name: 'My User' };
  const result = await f.sso.user.createUser('c1', data, ust, APP, ADDR);
  assert.equal(result, undefined);
  assert.equal('password' in data, false);
  assert.match(data.user_id, /^zusr[0-9a-z]{20,26}$/);
  assert.equal(data.username, 'user1');
  assert.equal(data.display_name, 'My User');
  assert.equal(data.is_active, true);
  assert.equal(data.is_internal, false);
  assert.equal(data.is_super_user, false);
  assert.equal(data.is_locked, false);
  assert.equal(data.approval_status, 'before_decision');
  assert.equal(data.is_approval_needed, true);
  assert.equal(data.password_must_change, true);
  assert.equal(data.password_is_set, true);
  assert.equal(data.sign_up_status, 'final');
  assert.equal(data.is_totp_enabled, false);
  assert.equal(data.totp_label, '');
  assert.ok(data.password_last_set instanceof Date);
  assert.equal(data.password_last_set.getTime(), T0);
  assert.equal(data.password_expiry.getTime(), T0 + 730 * 86400_000);
  assert.equal(data.sign_up_time.getTime(), T0);
  assert.equal(data.approval_status_mod_time.getTime(), T0);
});

test('createSuperUser resolves the user_id with the CLI semantics', async () => {
  const f = fixture();
  const data = { username: ADMIN, password: ADMIN_PW };
  const id = await f.sso.user.createSuperUser(null, data);
  assert.match(id, /^zusr/);
  assert.equal(data.user_id, id);
  assert.equal(data.approval_status, 'approved');
  assert.equal(data.approval_status_mod_by, 'auto');
  assert.equal(data.is_super_user, true);
  assert.equal('password' in data, false);
});

test('getCurrentUser and getUserById return a User with the seed visibility', async () => {
  const f = fixture({ config: { signup: { is_approval_needed: false } } });
  const ust = await adminUst(f);
  const data = { username: 'reg', password: 'regular passphrase', email: 'reg@example.com', totp_key: 'JBSWY3DPEHPK3PXP' };
  await f.sso.user.createUser(null, data, ust, APP, ADDR);
  const regUst = (await f.sso.user.login(null, 'reg', 'regular passphrase', APP, ADDR)).ust;
  const me = await f.sso.user.getCurrentUser(null, regUst, APP, ADDR);
  assert.ok(me instanceof User);
  assert.deepEqual(Object.keys(me).sort(), ['display_name', 'email', 'first_name', 'is_totp_enabled', 'last_name', 'middle_name', 'totp_key', 'totp_label', 'user_id', 'username']);
  assert.equal(me.email, 'reg@example.com');
  assert.equal(me.totp_key, 'JBSWY3DPEHPK3PXP');
  const byId = await f.sso.user.getUserById(null, data.user_id, ust, APP, ADDR);
  assert.equal(byId.username, 'reg');
  assert.equal(byId.is_super_user, false);
  assert.equal(byId.approval_status, 'approved');
  assert.ok(byId.sign_up_time instanceof Date);
  assert.equal(byId.locked_time, null);
  assert.equal('totp_key' in byId, false, "another user's TOTP key is never shown");
  const json = JSON.parse(JSON.stringify(byId));
  assert.equal(json.sign_up_time, '2024-01-01T00:00:00');
  assert.deepEqual(byId.toJSON(), json);
  assert.ok(byId.toDict().sign_up_time instanceof Date);
  for (const v of [me, byId]) {
    const text = JSON.stringify(v);
    assert.doesNotMatch(text, /passphrase|argon2|"password"/);
  }
  await rejectsWith(assert, f.sso.user.getUserById(null, data.user_id, regUst, APP, ADDR), 'E005001', true);
  await rejectsWith(assert, f.sso.user.getUserById(null, 'zusrnobody', ust, APP, ADDR), 'E005001', true);
});

test('login returns the session and logout ends it', async () => {
  const f = fixture();
  await f.sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const r = await f.sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR, { userAgent: 'test/1' });
  assert.deepEqual(Object.keys(r).sort(), ['creation_time', 'device_token', 'expiration_time', 'has_w_about_to_exp', 'user_id', 'username', 'ust']);
  assert.equal(r.username, ADMIN);
  assert.ok(r.expiration_time instanceof Date);
  assert.equal(r.expiration_time - r.creation_time, 60 * 60_000);
  assert.equal(r.has_w_about_to_exp, false);
  await f.sso.user.getCurrentUser(null, r.ust, APP, ADDR);
  assert.equal(await f.sso.user.logout(null, r.ust, APP, ADDR), undefined);
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, r.ust, APP, ADDR), 'E007001', false);
});

test('SsoError carries status, sub_status, reveal and a message naming the code', async () => {
  const f = fixture();
  const err = await f.sso.user.getCurrentUser(null, 'nope', APP, ADDR).catch((e) => e);
  assert.ok(err instanceof SsoError);
  assert.equal(err.name, 'SsoError');
  assert.equal(err.code, 'E007001');
  assert.match(err.message, /E007001 session\.no_such_session/);
});

test('a Cloudflare-KV-shaped store (no putIfAbsent) and a synchronous store both work', async () => {
  const map = new Map();
  const syncStore = {
    get: (k) => map.get(k) ?? null,
    put: (k, v) => { map.set(k, v); },
    delete: (k) => { map.delete(k); },
    list: ({ prefix }) => ({ keys: [...map.keys()].filter((k) => k.startsWith(prefix)).map((name) => ({ name })), list_complete: true }),
  };
  const f = fixture({ store: syncStore });
  const ust = await adminUst(f);
  await f.sso.user.createUser(null, { username: 'kv' }, ust, APP, ADDR);
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'kv' }, ust, APP, ADDR), 'E001002', false);
});

test('100 concurrent createUser calls with one username create exactly one user', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const results = await Promise.allSettled(
    Array.from({ length: 100 }, () => f.sso.user.createUser(null, { username: 'race' }, ust, APP, ADDR)),
  );
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results.filter((r) => r.status === 'rejected')) assert.deepEqual(r.reason.sub_status, ['E001002']);
  const users = f.store.entries().filter(([k]) => k.startsWith('sso/user/'));
  assert.equal(users.length, 2);
});

test('MemoryStore expires entries by TTL and pages list results', async () => {
  let now = 0;
  const s = new MemoryStore({ now: () => now });
  await s.put('a', '1', { expirationTtl: 60 });
  await s.put('b', '2');
  assert.equal(await s.putIfAbsent('a', 'x'), false);
  now = 61_000;
  assert.equal(await s.get('a'), null);
  assert.equal(await s.putIfAbsent('a', 'x'), true);
  for (let i = 0; i < 5; i++) await s.put(`p/${i}`, String(i));
  const first = await s.list({ prefix: 'p/', limit: 2 });
  assert.deepEqual(first.keys.map((k) => k.name), ['p/0', 'p/1']);
  assert.equal(first.list_complete, false);
  const rest = await s.list({ prefix: 'p/', cursor: first.cursor });
  assert.deepEqual(rest.keys.map((k) => k.name), ['p/2', 'p/3', 'p/4']);
  assert.equal(rest.list_complete, true);
  await assert.rejects(s.put('k', 5), TypeError);
});
