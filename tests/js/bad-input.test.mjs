// Bad input of every kind gives an SsoError with a code, never a crash, a trap or a hang; a
// failing store or audit log loses nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sso, SsoError, MemoryStore } from 'edge-sso';
import { fixture, adminUst, rejectsWith, KEY, APP, ADDR, ADMIN, ADMIN_PW, FAST } from './helpers.mjs';

const MB = 'x'.repeat(1 << 20);

test('construction errors are SsoErrors naming the problem', () => {
  const store = new MemoryStore();
  const cases = [
    [undefined, /options must be an object/],
    [null, /options must be an object/],
    [{ secretKey: KEY }, /store/],
    [{ store: {}, secretKey: KEY }, /store has no get method/],
    [{ store }, /secretKey/],
    [{ store, secretKey: 'short' }, /secretKey/],
    [{ store, secretKey: Buffer.alloc(16).toString('base64') }, /16 bytes/],
    [{ store, secretKey: [KEY, 5] }, /secretKey/],
    [{ store, secretKey: KEY, config: { pasword: {} } }, /config\.pasword: unknown section/],
    [{ store, secretKey: KEY, config: { password: { min_lenght: 1 } } }, /config\.password\.min_lenght: unknown key/],
    [{ store, secretKey: KEY, config: { password: { min_length: '8' } } }, /config\.password\.min_length: expected an integer/],
    [{ store, secretKey: KEY, config: 'nope' }, /config/],
    [{ store, secretKey: KEY, audit: 'log' }, /audit must be a function/],
    [{ store, secretKey: KEY, now: 5 }, /now must be a function/],
    [{ store, secretKey: KEY, extra: 1 }, /unknown option: extra/],
  ];
  for (const [opts, message] of cases) {
    assert.throws(() => new Sso(opts), (e) => {
      assert.ok(e instanceof SsoError, `${e}`);
      assert.deepEqual(e.sub_status, ['E008002']);
      assert.match(e.message, message);
      assert.ok(!e.message.includes(KEY));
      return true;
    });
  }
  assert.ok(new Sso({ store, secretKey: [KEY, Buffer.alloc(32, 9).toString('base64')] }));
});

test('wrong types, null and undefined in every argument', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const odd = [null, undefined, 5, true, {}, [], () => 1, Symbol('s'), 10n];
  for (const v of odd) {
    const isStr = v === null || v === undefined;
    // cid
    if (!isStr) await rejectsWith(assert, f.sso.user.getCurrentUser(v, ust, APP, ADDR), 'E008002');
    // ust
    await rejectsWith(assert, f.sso.user.getCurrentUser(null, v, APP, ADDR), isStr ? 'E007001' : 'E008002');
    // data
    await rejectsWith(assert, f.sso.user.createUser(null, v, ust, APP, ADDR), v !== null && typeof v === 'object' && !Array.isArray(v) ? 'E001001' : 'E008002');
    // username / password
    await rejectsWith(assert, f.sso.user.login(null, v, ADMIN_PW, APP, ADDR), isStr ? 'E005001' : 'E008002');
    await rejectsWith(assert, f.sso.user.login(null, ADMIN, v, APP, ADDR), isStr ? 'E005001' : 'E008002');
    // app / address
    if (!isStr) {
      await rejectsWith(assert, f.sso.user.getCurrentUser(null, ust, v, ADDR), 'E008002');
      await rejectsWith(assert, f.sso.user.getCurrentUser(null, ust, APP, v), 'E008002');
      await rejectsWith(assert, f.sso.user.getUserById(null, v, ust, APP, ADDR), 'E008002');
    }
  }
  await rejectsWith(assert, f.sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR, { totpCode: 5 }), 'E008002');
  await rejectsWith(assert, f.sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR, { nope: 1 }), 'E008002');
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'x', is_admin: true }, ust, APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'x', email: { a: 1 } }, ust, APP, ADDR), 'E008002');
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'x', display_name: () => 1 }, ust, APP, ADDR), 'E008002');
  // The instance still works after all of that.
  assert.equal((await f.sso.user.getCurrentUser(null, ust, APP, ADDR)).username, ADMIN);
});

test('megabyte strings are refused cheaply and cleanly', async () => {
  const f = fixture({ config: { argon2: { m_cost: 19456, t_cost: 2 } } });
  await f.sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const ust = (await f.sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR)).ust;
  const started = Date.now();
  await rejectsWith(assert, f.sso.user.login(null, ADMIN, MB, APP, ADDR), 'E005001', false);
  await rejectsWith(assert, f.sso.user.login(null, MB, ADMIN_PW, APP, ADDR), 'E005001', false);
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, MB, APP, ADDR), 'E007001', false);
  await rejectsWith(assert, f.sso.user.getCurrentUser(MB, ust, APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, ust, MB, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.getCurrentUser(null, ust, APP, MB), 'E008002', false);
  await rejectsWith(assert, f.sso.user.createUser(null, { username: MB }, ust, APP, ADDR), 'E001003', true);
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'big', password: MB }, ust, APP, ADDR), 'E003003', true);
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'big', display_name: MB }, ust, APP, ADDR), 'E008002', false);
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'big', email: MB }, ust, APP, ADDR), 'E002003', true);
  // No Argon2 ran for the 1 MB password: this whole test is a handful of hashes at most.
  assert.ok(Date.now() - started < 5000);
});

test('malformed, forged, tampered and foreign USTs are E007001', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const other = fixture();
  const foreign = await adminUst(other);
  const tampered = ust.slice(0, -2) + (ust.endsWith('AA') ? 'BB' : 'AA');
  const nonUtf8 = '\ud800\udfff\ud800';
  for (const bad of [foreign, tampered, '', 'gAAAAABalFycY50Budi', 'zust0123456789abcdefghjkmnpq', 'es1.', 'es1.x.y', nonUtf8, '\0'.repeat(100)]) {
    await rejectsWith(assert, f.sso.user.getCurrentUser(null, bad, APP, ADDR), 'E007001', false);
    await rejectsWith(assert, f.sso.user.logout(null, bad, APP, ADDR), 'E007001', false);
  }
});

test('a store that throws or rejects gives E008004 and leaves the username free', async () => {
  for (const mode of ['throw', 'reject']) {
    const inner = new MemoryStore();
    let failing = false;
    const fail = () => {
      if (mode === 'throw') throw new Error('backend down');
      return Promise.reject(new Error('backend down'));
    };
    const store = {
      get: (k) => inner.get(k),
      put: (k, v, o) => (failing && k.startsWith('sso/user/') ? fail() : inner.put(k, v, o)),
      delete: (k) => inner.delete(k),
      list: (o) => inner.list(o),
      putIfAbsent: (k, v, o) => (failing && k.startsWith('sso/user/') ? fail() : inner.putIfAbsent(k, v, o)),
    };
    const f = fixture({ store });
    const ust = await adminUst(f);
    failing = true;
    const err = await f.sso.user.createUser(null, { username: 'victim', password: 'victim passphrase' }, ust, APP, ADDR).catch((e) => e);
    assert.ok(err instanceof SsoError);
    assert.deepEqual(err.sub_status, ['E008004']);
    assert.match(err.message, /store failed.*backend down/);
    assert.ok(!err.message.includes('victim passphrase'));
    failing = false;
    await f.sso.user.createUser(null, { username: 'victim', password: 'victim passphrase' }, ust, APP, ADDR);
  }
  // A store whose every call fails.
  const dead = { get() { throw new Error('x'); }, put() { throw 'str'; }, delete() { throw null; }, list() { throw 1; } };
  const f = fixture({ store: dead });
  await rejectsWith(assert, f.sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW }), 'E008004', false);
  await rejectsWith(assert, f.sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR), 'E008004', false);
  // A store that returns nonsense.
  const liar = { get: () => 42, put() {}, delete() {}, list: () => 'no', putIfAbsent: () => 'yes' };
  const g = fixture({ store: liar });
  await rejectsWith(assert, g.sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR), 'E008004', false);
});

test('an audit callback that throws or rejects fails the operation with E008004', async () => {
  for (const audit of [() => { throw new Error('audit down'); }, () => Promise.reject(new Error('audit down'))]) {
    const f = fixture({ audit });
    await rejectsWith(assert, f.sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW }), 'E008004', false);
    assert.equal(f.store.size, 0, 'nothing ran unrecorded');
  }
  // An async audit log is awaited.
  const seen = [];
  const f = fixture({ audit: async (e) => { await new Promise((r) => setTimeout(r, 1)); seen.push(e.op); } });
  await f.sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  assert.deepEqual(seen, ['user.create_super_user']);
});

test('audit records follow spec §1.6 and hold no secret; nothing secret is at rest in clear', async () => {
  const f = fixture({ config: { signup: { is_approval_needed: false } } });
  const ust = await adminUst(f);
  const key = 'KMCLCWN4YPMD2WO3';
  await f.sso.user.createUser('c-create', { username: 'sec', password: 'secret passphrase 9', email: 'sec@example.com', totp_key: key, is_totp_enabled: true, totp_label: 'my phone' }, ust, APP, '10.1.1.1');
  const { totp } = await import('./helpers.mjs');
  const code = totp(key, f.clock.now);
  const r = await f.sso.user.login('c-login', 'sec', 'secret passphrase 9', APP, ADDR, { totpCode: code, newPassword: '' });
  await f.sso.user.logout('c-out', r.ust, APP, ADDR);
  const create = f.events.find((e) => e.cid === 'c-create');
  assert.equal(create.op, 'user.create_user');
  assert.deepEqual(create.extra, { current_app: APP, remote_addr: '10.1.1.1' });
  assert.match(create.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  const login = f.events.find((e) => e.cid === 'c-login');
  assert.equal(login.op, 'user.login');
  assert.equal(login.target_user, 'sec');
  assert.equal(login.extra.new_password, false);
  assert.ok(f.events.some((e) => e.op === 'user.logout'));
  const log = JSON.stringify(f.events);
  for (const secret of ['secret passphrase 9', ADMIN_PW, key, code, r.ust, ust]) assert.ok(!log.includes(secret), 'audit leaks a secret');
  const rest = JSON.stringify(f.store.entries());
  for (const secret of ['secret passphrase 9', ADMIN_PW, key, 'sec@example.com', 'my phone', '$argon2', 'zust']) {
    assert.ok(!rest.includes(secret), `${secret} is stored in clear`);
  }
});

test('secrets never appear in error messages', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const messages = [];
  for (const p of [
    f.sso.user.login(null, ADMIN, 'wrong secret passphrase', APP, ADDR),
    f.sso.user.createUser(null, { username: 'x', password: 'qwerty-secret-123' }, ust, APP, ADDR),
    f.sso.user.getCurrentUser(null, ust + 'x', APP, ADDR),
  ]) messages.push(await p.catch((e) => e.message));
  for (const m of messages) {
    assert.ok(!m.includes('wrong secret passphrase') && !m.includes('qwerty-secret-123') && !m.includes(ust), m);
  }
});
