// The hand-written JS layer of the package: what it does to arguments before the wasm sees
// them, what it does to results after, User, SsoError and MemoryStore edge cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sso, SsoError, User, MemoryStore } from 'edge-sso';
import { MemoryStore as SubpathMemoryStore } from 'edge-sso/memory-store';
import { fixture, adminUst, rejectsWith, KEY, APP, ADDR, T0 } from './helpers.mjs';

const BASIC = ['display_name', 'email', 'first_name', 'is_totp_enabled', 'last_name', 'middle_name', 'totp_key', 'totp_label', 'user_id', 'username'];
const SUPER_ONLY = ['approv_rej_by', 'approv_rej_time', 'approval_status', 'approval_status_mod_by', 'approval_status_mod_time', 'creation_ctx',
  'is_active', 'is_approval_needed', 'is_internal', 'is_locked', 'is_super_user', 'locked_by', 'locked_time', 'password_expiry',
  'password_is_set', 'password_last_set', 'password_must_change', 'sign_up_status', 'sign_up_time'];

function nested(depth, leaf = 1) {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

test('deeply nested and cyclic arguments are E008002 and the wasm stays usable', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const cyclic = { username: 'cyc' };
  cyclic.self = cyclic;
  await rejectsWith(assert, f.sso.user.getCurrentUser(nested(5000), ust, APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'deep', display_name: nested(100_000) }, ust, APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.createUser(null, cyclic, ust, APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.login(null, 'admin', 'x', APP, ADDR, { userAgent: nested(5000) }), 'E008002', false);
  assert.throws(() => new Sso({ store: new MemoryStore(), secretKey: KEY, config: { password: nested(5000) } }),
    (e) => e instanceof SsoError && e.code === 'E008002');
  // Moderate nesting reaches the core, which names the problem.
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'deep', display_name: nested(50) }, ust, APP, ADDR), 'E008002', false);
  // Nothing trapped: the same instance and new ones still work.
  assert.equal((await f.sso.user.getCurrentUser(null, ust, APP, ADDR)).username, 'admin');
  const g = fixture();
  await adminUst(g);
});

test('data that cannot take the enrichment is refused before anything is written', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  for (const data of [Object.freeze({ username: 'frozen' }), Object.seal({ username: 'frozen' }), Object.preventExtensions({ username: 'frozen' })]) {
    await rejectsWith(assert, f.sso.user.createUser(null, data, ust, APP, ADDR), 'E008002', false);
  }
  await rejectsWith(assert, f.sso.user.createSuperUser(null, Object.freeze({ username: 'frozen', password: 'a fine passphrase' })), 'E008002', false);
  // The username was never taken.
  const data = { username: 'frozen' };
  await f.sso.user.createUser(null, data, ust, APP, ADDR);
  assert.match(data.user_id, /^zusr/);
});

test('unreadable data (throwing getter, hostile Proxy) is E008002, never a TypeError', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const getter = { get username() { throw new Error('boom'); } };
  const proxy = new Proxy({}, { ownKeys() { throw new Error('trap'); }, isExtensible() { throw new Error('trap'); } });
  await rejectsWith(assert, f.sso.user.createUser(null, getter, ust, APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.createUser(null, proxy, ust, APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.login(null, 'admin', 'x', APP, ADDR, proxy), 'E008002', false);
});

test('a __proto__ key (as JSON.parse makes it) is an ordinary unknown key: E008002', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const data = JSON.parse('{"username":"p1","__proto__":{"is_super_user":true}}');
  await rejectsWith(assert, f.sso.user.createUser(null, data, ust, APP, ADDR), 'E008002', false);
});

test('enrichment skips a property that refuses the write instead of failing a create that happened', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const data = { username: 'ro' };
  Object.defineProperty(data, 'display_name', { value: 'Fixed', writable: false, enumerable: true });
  assert.equal(await f.sso.user.createUser(null, data, ust, APP, ADDR), undefined);
  assert.match(data.user_id, /^zusr/);
  assert.equal(data.display_name, 'Fixed');
});

test('a super-user sees all 29 fields, a regular user the 10 basic ones; Dates and toJSON', async () => {
  const f = fixture({ config: { signup: { is_approval_needed: false } } });
  const ust = await adminUst(f);
  f.clock.now = T0 + 123; // a non-zero sub-second part
  const data = { username: 'vis', password: 'visible passphrase' };
  await f.sso.user.createUser(null, data, ust, APP, ADDR);
  const me = await f.sso.user.getCurrentUser(null, ust, APP, ADDR);
  assert.deepEqual(Object.keys(me).sort(), [...BASIC, ...SUPER_ONLY].sort());
  const other = await f.sso.user.getUserById(null, data.user_id, ust, APP, ADDR);
  // By id, a super-user also sees the last login (not in Zato): none yet.
  assert.deepEqual(Object.keys(other).sort(), [...BASIC, ...SUPER_ONLY, 'last_login_time'].filter((k) => k !== 'totp_key').sort());
  assert.equal(other.last_login_time, null);
  for (const k of ['password_last_set', 'sign_up_time', 'approval_status_mod_time', 'password_expiry']) {
    assert.ok(other[k] instanceof Date, k);
  }
  assert.equal(other.sign_up_time.getTime(), T0 + 123);
  assert.equal(other.toJSON().sign_up_time, '2024-01-01T00:00:00.123000');
  assert.equal(other.toJSON().locked_time, null);
  assert.ok(other.toDict().sign_up_time instanceof Date);
  assert.equal(Object.getPrototypeOf(other.toDict()), Object.prototype);
  const reg = (await f.sso.user.login(null, 'vis', 'visible passphrase', APP, ADDR)).ust;
  const self = await f.sso.user.getCurrentUser(null, reg, APP, ADDR);
  assert.deepEqual(Object.keys(self).sort(), BASIC);
  assert.equal(self.email, null);
  const seen = await f.sso.user.getUserById(null, data.user_id, ust, APP, ADDR);
  assert.ok(seen.last_login_time instanceof Date);
  assert.equal(seen.last_login_time.getTime(), T0 + 123);
});

test('User keeps Zato timestamps exactly, microseconds included', () => {
  const u = new User({ username: 'x', sign_up_time: '2024-05-06T07:08:09.123456', password_expiry: '2026-01-01T00:00:00', locked_time: null, display_name: '2024-05-06T07:08:09' });
  assert.ok(u.sign_up_time instanceof Date);
  assert.equal(u.sign_up_time.toISOString(), '2024-05-06T07:08:09.123Z');
  assert.equal(u.display_name, '2024-05-06T07:08:09', 'only the timestamp fields are converted');
  assert.deepEqual(JSON.parse(JSON.stringify(u)), { username: 'x', sign_up_time: '2024-05-06T07:08:09.123456', password_expiry: '2026-01-01T00:00:00', locked_time: null, display_name: '2024-05-06T07:08:09' });
  u.password_expiry = new Date(Date.UTC(2030, 0, 1, 0, 0, 0, 5));
  assert.equal(u.toJSON().password_expiry, '2030-01-01T00:00:00.005000');
  assert.deepEqual(Object.keys(u.toDict()), ['username', 'sign_up_time', 'password_expiry', 'locked_time', 'display_name']);
});

test('login resolves Dates for creation_time and expiration_time', async () => {
  const f = fixture();
  await f.sso.user.createSuperUser(null, { username: 'admin', password: 'correct horse battery' });
  const r = await f.sso.user.login(undefined, 'admin', 'correct horse battery', APP, ADDR);
  assert.ok(r.creation_time instanceof Date && r.expiration_time instanceof Date);
  assert.equal(r.creation_time.getTime(), T0);
  assert.equal(typeof r.ust, 'string');
});

test('SsoError: an Error with name, status, sub_status, reveal and code', () => {
  const e = new SsoError('E005001 user.not_found: x', ['E005001'], false);
  assert.ok(e instanceof Error);
  assert.equal(e.name, 'SsoError');
  assert.equal(e.status, 'error');
  assert.equal(e.code, 'E005001');
  assert.equal(e.reveal, false);
  assert.match(String(e), /^SsoError: E005001/);
});

test('every async method rejects (never throws synchronously) whatever it is given', async () => {
  const f = fixture();
  const calls = [
    () => f.sso.user.createUser(null, Object.freeze({})),
    () => f.sso.user.createSuperUser(),
    () => f.sso.user.getCurrentUser(),
    () => f.sso.user.getUserById(),
    () => f.sso.user.login(),
    () => f.sso.user.logout(),
  ];
  for (const c of calls) {
    let p;
    assert.doesNotThrow(() => { p = c(); });
    await assert.rejects(p, (e) => e instanceof SsoError && /^E00\d{4}$/.test(e.code));
  }
});

test('MemoryStore: the subpath export, odd limits, cursors and TTL', async () => {
  assert.equal(SubpathMemoryStore, MemoryStore);
  let now = 1000;
  const s = new MemoryStore({ now: () => now });
  for (const k of ['a/1', 'a/2', 'a/3', 'b/1']) await s.put(k, k);
  for (const limit of ['many', NaN, undefined, Infinity]) {
    const r = await s.list({ prefix: 'a/', limit });
    assert.deepEqual(r.keys.map((k) => k.name), ['a/1', 'a/2', 'a/3'], `limit ${limit}`);
    assert.equal(r.list_complete, true);
  }
  const one = await s.list({ prefix: 'a/', limit: 0 });
  assert.deepEqual(one.keys.map((k) => k.name), ['a/1']);
  assert.equal(one.list_complete, false);
  assert.equal(typeof one.cursor, 'string');
  // Paging with the cursor visits every key once.
  const seen = [];
  let cursor;
  for (;;) {
    const page = await s.list({ prefix: 'a/', limit: 1, cursor });
    seen.push(...page.keys.map((k) => k.name));
    if (page.list_complete) break;
    cursor = page.cursor;
  }
  assert.deepEqual(seen, ['a/1', 'a/2', 'a/3']);
  await s.put('t', 'v', { expirationTtl: 60 });
  now += 59_999;
  assert.equal(await s.get('t'), 'v');
  now += 1;
  assert.equal(await s.get('t'), null);
  assert.deepEqual((await s.list({ prefix: 't' })).keys, []);
  await assert.rejects(s.put('k', { not: 'a string' }), TypeError);
  await assert.rejects(s.putIfAbsent('k', 5), TypeError);
  assert.equal(await s.get('missing'), null);
  assert.equal(await s.putIfAbsent('k', 'v'), true);
  assert.equal(await s.putIfAbsent('k', 'w'), false);
  assert.equal(await s.get('k'), 'v');
  await s.delete('k');
  assert.equal(await s.get('k'), null);
});

test('attribute values come back exactly as stored: date-like strings stay strings, at any depth', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const value = { creation_time: '2024-01-01T00:00:00', nested: [{ expiration_time: '2030-05-06T07:08:09.123456' }], plain: 'x' };
  await f.sso.user.attr.create(null, 'shaped', value, ust, APP, ADDR);
  const got = await f.sso.user.attr.get(null, 'shaped', ust, APP, ADDR);
  assert.deepEqual(got.value, value);
  assert.ok(got.creation_time instanceof Date, 'the entity\'s own timestamps are Dates');
  const many = await f.sso.user.attr.getMany(null, ['shaped', 'absent'], ust, APP, ADDR);
  assert.deepEqual(many.shaped.value, value);
  assert.ok(many.shaped.expiration_time instanceof Date);
  assert.equal(many.absent, null);
  assert.deepEqual((await f.sso.user.attr.toDict(null, ust, APP, ADDR)).shaped.value, value);
  // Attributes named like an entity's fields are still a map of entities.
  for (const n of ['name', 'value', 'is_encrypted']) await f.sso.user.attr.create(null, n, n, ust, APP, ADDR);
  const odd = await f.sso.user.attr.getMany(null, ['name', 'value', 'is_encrypted', 'shaped'], ust, APP, ADDR);
  assert.ok(odd.name.creation_time instanceof Date && odd.shaped.last_modified instanceof Date);
  assert.equal(odd.value.value, 'value');
  const one = await f.sso.user.attr.getMany(null, ['value'], ust, APP, ADDR);
  assert.equal(one.value, 'value', 'one name in a list: the entity itself (spec §3.17)');
  assert.ok(one.expiration_time instanceof Date);
});

test('storeTimeoutMs of Infinity or beyond what setTimeout takes means no limit, not an instant one', async () => {
  for (const storeTimeoutMs of [Infinity, 2 ** 31, 0]) {
    const sso = new Sso({ store: new MemoryStore(), secretKey: KEY, config: { argon2: { m_cost: 64, t_cost: 1 } }, storeTimeoutMs });
    assert.match(await sso.user.createSuperUser(null, { username: 'admin', password: 'a long passphrase' }), /^zusr/, String(storeTimeoutMs));
  }
});

test('sso.fetch never throws, whatever its options', async () => {
  const sso = new Sso({ store: new MemoryStore(), secretKey: KEY });
  for (const options of [null, undefined, 42, 'x', { remoteAddr: 7, waitUntil: 'no' }]) {
    const r = await sso.fetch(new Request('http://sso.test/zato/sso/user/login', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } }), options);
    assert.ok(r instanceof Response, String(options));
  }
});

test('binary data is refused at once, before it is walked', async () => {
  const f = fixture();
  const started = Date.now();
  await rejectsWith(assert, f.sso.user.login(null, 'admin', new Uint8Array(4_000_000), APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.createSuperUser(null, { username: 'a', password: Buffer.alloc(10) }), 'E008002', false);
  assert.ok(Date.now() - started < 2000);
});

test('a refused body is drained for at most two seconds: a stalled client still gets its 413', { timeout: 10_000 }, async () => {
  const sso = new Sso({ store: new MemoryStore(), secretKey: KEY });
  // Announces 5 MiB, sends 10 bytes, then nothing.
  const body = new ReadableStream({ start(c) { c.enqueue(new Uint8Array(10)); } });
  const request = new Request('http://sso.test/zato/sso/user/login', {
    method: 'POST', body, duplex: 'half', headers: { 'content-type': 'application/json', 'content-length': String(5 * 1024 * 1024) },
  });
  const r = await sso.fetch(request);
  assert.equal(r.status, 413);
});
