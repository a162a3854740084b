// Hardening through the package: a hung store times out, the passwordCheck hook, no Argon2 for
// a 10 MB password, throttling and TOTP replay as a JS user sees them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sso, MemoryStore } from 'edge-sso';
import { fixture, adminUst, rejectsWith, totp, APP, ADDR, ADMIN, ADMIN_PW, KEY, FAST } from './helpers.mjs';

test('a store that hangs fails the operation after storeTimeoutMs (E008004), and nothing is lost', async () => {
  const inner = new MemoryStore();
  let hang = false;
  const store = {
    get: (k) => (hang ? new Promise(() => {}) : inner.get(k)),
    put: (k, v, o) => inner.put(k, v, o),
    delete: (k) => inner.delete(k),
    list: (o) => inner.list(o),
    putIfAbsent: (k, v, o) => inner.putIfAbsent(k, v, o),
  };
  const sso = new Sso({ store, secretKey: KEY, config: FAST, storeTimeoutMs: 200 });
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  hang = true;
  const started = Date.now();
  const err = await sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR).catch((e) => e);
  assert.deepEqual(err.sub_status, ['E008004']);
  assert.match(err.message, /did not answer within 200 ms/);
  assert.ok(Date.now() - started < 2000);
  hang = false;
  assert.ok((await sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR)).ust);
});

test('the passwordCheck hook refuses a breached password with E003001', async () => {
  const seen = [];
  const sso = new Sso({
    store: new MemoryStore(), secretKey: KEY, config: FAST,
    hooks: { passwordCheck: async (pw) => { seen.push(pw.length); return pw !== 'a breached passphrase'; } },
  });
  await rejectsWith(assert, sso.user.createSuperUser(null, { username: ADMIN, password: 'a breached passphrase' }), 'E003001', true);
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  assert.deepEqual(seen, [21, ADMIN_PW.length]);
});

test('a 10 MB password is refused before any hashing', async () => {
  const sso = new Sso({ store: new MemoryStore(), secretKey: KEY });
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const big = 'p'.repeat(10 * 1024 * 1024);
  const t0 = performance.now();
  await rejectsWith(assert, sso.user.login(null, ADMIN, big, APP, ADDR), 'E005001', false);
  await rejectsWith(assert, sso.user.changePassword(null, { old_password: ADMIN_PW, new_password: big }, 'x', APP, ADDR), 'E007001');
  const bigMs = performance.now() - t0;
  const t1 = performance.now();
  await rejectsWith(assert, sso.user.login(null, ADMIN, 'wrong passphrase', APP, ADDR), 'E005001', false);
  const argonMs = performance.now() - t1;
  assert.ok(bigMs < argonMs * 20, `10 MB took ${bigMs} ms, one Argon2 ${argonMs} ms`);
});

test('throttling: the 11th attempt from one address is refused even with the right password', async () => {
  const f = fixture();
  await f.sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  for (let i = 0; i < 10; i++) await rejectsWith(assert, f.sso.user.login(null, ADMIN, `guess ${i}`, APP, '203.0.113.7'), 'E005001', false);
  await rejectsWith(assert, f.sso.user.login(null, ADMIN, ADMIN_PW, APP, '203.0.113.7'), 'E005001', false);
  assert.ok((await f.sso.user.login(null, ADMIN, ADMIN_PW, APP, '198.51.100.2')).ust);
  f.clock.now += 61_000;
  assert.ok((await f.sso.user.login(null, ADMIN, ADMIN_PW, APP, '203.0.113.7')).ust);
});

test('key rotation through the package: reseal, then the old key can go', async () => {
  const old = Buffer.alloc(32, 1).toString('base64');
  const next = Buffer.alloc(32, 2).toString('base64');
  const store = new MemoryStore();
  const a = new Sso({ store, secretKey: old, config: FAST });
  await a.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW, email: 'admin@example.com' });
  const oldUst = (await a.user.login(null, ADMIN, ADMIN_PW, APP, ADDR)).ust;
  const b = new Sso({ store, secretKey: [next, old], config: FAST });
  assert.equal((await b.user.getCurrentUser(null, oldUst, APP, ADDR)).email, 'admin@example.com');
  const report = await b.reseal();
  assert.ok(report.values >= 4);
  const c = new Sso({ store, secretKey: next, config: FAST });
  await rejectsWith(assert, c.user.getCurrentUser(null, oldUst, APP, ADDR), 'E007001', false);
  const ust = (await c.user.login(null, ADMIN, ADMIN_PW, APP, ADDR)).ust;
  assert.equal((await c.user.getCurrentUser(null, ust, APP, ADDR)).email, 'admin@example.com');
});

test('a strict-profile instance refuses a common password and hides account state', async () => {
  const f = fixture({ config: { profile: 'strict' } });
  await rejectsWith(assert, f.sso.user.createSuperUser(null, { username: ADMIN, password: 'fourteen chars' }), 'E003002', true);
  await f.sso.user.createSuperUser(null, { username: ADMIN, password: 'a strict admin passphrase' });
  const ust = (await f.sso.user.login(null, ADMIN, 'a strict admin passphrase', APP, ADDR)).ust;
  await rejectsWith(assert, f.sso.user.createUser(null, { username: 'x', password: 'MailCreated5240' }, ust, APP, ADDR), 'E003001', true);
});

test('the strict profile refuses a store without an atomic commit (E008002) at construction, and takes MemoryStore', () => {
  const inner = new MemoryStore();
  // A KV namespace's shape: no commit.
  const kvShaped = { get: (k) => inner.get(k), put: (k, v, o) => inner.put(k, v, o), delete: (k) => inner.delete(k), list: (o) => inner.list(o) };
  assert.throws(() => new Sso({ store: kvShaped, secretKey: KEY, config: { profile: 'strict' } }), (e) => e.sub_status?.[0] === 'E008002' && /atomic commit/.test(e.message));
  assert.ok(new Sso({ store: new MemoryStore(), secretKey: KEY, config: { profile: 'strict' } }));
  assert.ok(new Sso({ store: kvShaped, secretKey: KEY, config: FAST }));
});
