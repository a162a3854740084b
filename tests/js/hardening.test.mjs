// Hardening through the package: `__proto__` in attribute values comes back as plain data, the
// REST confirm token follows signup.always_return_confirm_token, non-JSON bodies are 415,
// oversize audited inputs are E008002 before any audit record, and REST sign-up refuses a
// client-chosen sign_up_status (E008002).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sso, MemoryStore } from 'edge-sso';
import { fixture, adminUst, merge, APP, ADDR, KEY, FAST } from './helpers.mjs';

const PW = 'a long enough passphrase';
const BASE = 'http://sso.test/zato/sso';

const POLLUTING = '{"__proto__": {"polluted": true}}';
/** `{"__proto__": ...}` as JSON.parse makes it (an object literal would set the prototype). */
const polluting = () => JSON.parse(POLLUTING);

/** Plain data holding `__proto__` as an ordinary own key, with Object.prototype intact. */
function assertPlain(v, where) {
  assert.equal(Object.getPrototypeOf(v), Object.prototype, `${where}: prototype swapped`);
  assert.equal(v.polluted, undefined, `${where}: inherits "polluted"`);
  assert.ok(Object.keys(v).includes('__proto__'), `${where}: __proto__ is not an own key`);
  assert.ok(Object.hasOwn(v, '__proto__'), where);
  const inner = Object.getOwnPropertyDescriptor(v, '__proto__').value;
  assert.deepEqual(Object.getOwnPropertyNames(inner), ['polluted'], where);
  assert.equal(inner.polluted, true, where);
  assert.equal({}.polluted, undefined, `${where}: Object.prototype polluted`);
}

function value() {
  const v = polluting();
  v.nested = polluting();
  v.list = [polluting(), 1];
  return v;
}

function assertValue(v, where) {
  assertPlain(v, where);
  assertPlain(v.nested, `${where}.nested`);
  assertPlain(v.list[0], `${where}.list[0]`);
  assert.deepEqual(JSON.parse(JSON.stringify(v)), JSON.parse(JSON.stringify(value())), `${where}: round trip`);
}

function request(method, path, { body, headers = {}, query = '' } = {}) {
  return new Request(`${BASE}${path}${query}`, { method, body, headers, duplex: 'half' });
}

async function send(sso, method, path, opts) {
  const res = await sso.fetch(request(method, path, opts), { remoteAddr: ADDR });
  return { http: res.status, ...(await res.json()) };
}

const json = (o) => ({ body: JSON.stringify(o), headers: { 'content-type': 'application/json' } });

// Item 14 -----------------------------------------------------------------------------------

test('__proto__ in attribute values comes back as an ordinary own key of plain data (E009002 still for missing names)', async () => {
  const f = fixture();
  const { events } = f;
  const ust = await adminUst(f);
  const { user } = f.sso;
  await user.attr.create(null, 'a', value(), ust, APP, ADDR);
  await user.attr.createMany(null, [{ name: 'b', value: value() }, { name: 'c', value: [value()] }], ust, APP, ADDR);
  assertValue((await user.attr.get(null, 'a', ust, APP, ADDR)).value, 'get');
  assertValue((await user.attr.getMany(null, ['a'], ust, APP, ADDR)).value, 'getMany of one');
  const many = await user.attr.getMany(null, ['a', 'b', 'c'], ust, APP, ADDR);
  assertValue(many.a.value, 'getMany a');
  assertValue(many.b.value, 'getMany b');
  assertValue(many.c.value[0], 'getMany c[0]');
  const dict = await user.attr.toDict(null, ust, APP, ADDR);
  assertValue(dict.a.value, 'toDict');
  await user.attr.set(null, 'a', value(), ust, APP, ADDR);
  await user.attr.update(null, 'b', value(), ust, APP, ADDR);
  assertValue((await user.attr.get(null, 'b', ust, APP, ADDR)).value, 'after update');
  await assert.rejects(user.attr.update(null, 'missing', value(), ust, APP, ADDR), (e) => e.sub_status[0] === 'E009002');
  // Session attributes take the same path.
  await user.session.attr.create(null, 's', value(), ust, ust, APP, ADDR);
  assertValue((await user.session.attr.get(null, 's', ust, ust, APP, ADDR)).value, 'session attr');
  assertValue((await user.session.attr.toDict(null, ust, ust, APP, ADDR)).s.value, 'session toDict');
  // Over REST the answer is JSON text: the same plain data.
  const me = (await user.getCurrentUser(null, ust, APP, ADDR)).user_id;
  const r = await send(f.sso, 'GET', '/user/attr', { query: `?current_app=${APP}&name=a&user_id=${me}`, headers: { authorization: `Bearer ${ust}` } });
  assert.equal(r.found, true, JSON.stringify(r));
  assertValue(r.value, 'REST');
  // The audit records handed to the callback are plain data too (the same conversion).
  assert.ok(events.length > 5);
  for (const e of events) {
    assert.equal(Object.getPrototypeOf(e), Object.prototype);
    assert.equal(Object.getPrototypeOf(e.extra), Object.prototype);
  }
  assert.equal({}.polluted, undefined);
});

test('hook contexts are plain data (same conversion as results)', async () => {
  const seen = [];
  const sso = new Sso({
    store: new MemoryStore(), secretKey: KEY, config: FAST,
    hooks: {
      validateSignup: (ctx) => { seen.push(ctx); return { is_valid: true }; },
      signupCallback: (ctx) => { seen.push(ctx); },
      sessionExpiry: (ctx) => { seen.push(ctx); return undefined; },
    },
  });
  await sso.user.signup(null, { username: 'jo', password: PW, app_list: [APP] }, APP, ADDR);
  await sso.user.createSuperUser(null, { username: 'admin', password: PW });
  await sso.user.login(null, 'admin', PW, APP, ADDR);
  assert.equal(seen.length, 3);
  for (const ctx of seen) {
    assert.equal(Object.getPrototypeOf(ctx), Object.prototype);
    assert.ok(Object.keys(ctx).length > 0);
  }
  assert.deepEqual(seen[0].app_list, [APP]);
});

// Item 3 ------------------------------------------------------------------------------------

test('REST sign-up: no confirm token in the answer with signup.always_return_confirm_token off; the hook and the JS API get it', async () => {
  const tokens = [];
  const make = (config) => new Sso({ store: new MemoryStore(), secretKey: KEY, config: merge(FAST, config), hooks: { signupCallback: (ctx) => { tokens.push(ctx.confirm_token); } } });
  // Zato's default (on): the token is in the answer.
  const on = make({});
  const r1 = await send(on, 'POST', '/user/signup', json({ current_app: APP, username: 'jo', password: PW }));
  assert.equal(r1.status, 'ok');
  assert.equal(r1.confirm_token, tokens[0]);
  // Off: the envelope alone; the token reaches only the hook, which confirms.
  const off = make({ signup: { always_return_confirm_token: false } });
  const r2 = await send(off, 'POST', '/user/signup', json({ current_app: APP, username: 'jo', password: PW }));
  assert.deepEqual(Object.keys(r2).sort(), ['cid', 'http', 'status', 'sub_status']);
  assert.equal(r2.status, 'ok');
  assert.equal(tokens.length, 2);
  const c = await send(off, 'PATCH', '/user/signup', json({ current_app: APP, confirm_token: tokens[1] }));
  assert.equal(c.status, 'ok');
  // The JS API (trusted host code) still resolves the token.
  const t = await off.user.signup(null, { username: 'api', password: PW }, APP, ADDR);
  assert.equal(t, tokens[2]);
});

// Item 15 -----------------------------------------------------------------------------------

test('sso.fetch refuses a body that is not application/json with 415', async () => {
  const f = fixture();
  const login = { current_app: APP, username: 'nobody', password: PW };
  const form = new FormData();
  form.set('current_app', APP);
  const refused = [
    { body: JSON.stringify(login) }, // Fetch makes it text/plain;charset=UTF-8
    { body: JSON.stringify(login), headers: { 'content-type': 'text/plain' } },
    { body: new URLSearchParams(login) },
    { body: form },
    { body: new Blob([JSON.stringify(login)]) }, // no content type at all
    { body: JSON.stringify(login), headers: { 'content-type': 'application/vnd.api+json' } },
    // A streamed body: no content-length, refused once read.
    { body: new Blob([JSON.stringify(login)]).stream(), headers: { 'content-type': 'text/plain' } },
    // A declared length without a body.
    { headers: { 'content-type': 'text/plain', 'content-length': '12' } },
  ];
  for (const [i, opts] of refused.entries()) {
    const method = opts.body === undefined ? 'GET' : 'POST';
    const r = await send(f.sso, method, method === 'GET' ? '/user' : '/user/login', opts);
    assert.equal(r.http, 415, `case ${i}`);
    assert.equal(r.result, 'Error');
    assert.equal(r.details, 'Content-Type must be application/json');
  }
  assert.equal(f.events.length, 0, 'nothing ran');
  // application/json, with parameters, in any case.
  for (const ct of ['application/json', 'Application/JSON; charset=utf-8']) {
    const r = await send(f.sso, 'POST', '/user/login', { body: JSON.stringify(login), headers: { 'content-type': ct } });
    assert.equal(r.http, 403, ct);
    assert.deepEqual(r.sub_status, ['E005001']);
  }
  // A body-less GET or DELETE without a content type stays fine.
  const ust = await adminUst(f);
  const g = await send(f.sso, 'GET', '/user', { query: `?current_app=${APP}`, headers: { authorization: `Bearer ${ust}` } });
  assert.equal(g.status, 'ok');
  const d = await send(f.sso, 'DELETE', '/user/lock', { query: `?current_app=${APP}&user_id=none`, headers: { authorization: `Bearer ${ust}` } });
  assert.notEqual(d.http, 415);
});

// Item 16 -----------------------------------------------------------------------------------

test('REST: oversize audited inputs are E008002 (400) before any audit record', async () => {
  const f = fixture();
  const ust = await adminUst(f);
  const before = f.events.length;
  const over = 'v'.repeat(1025);
  for (const [path, body, headers] of [
    ['/user/login', { username: 'u'.repeat(1000 * 1024), password: PW }],
    ['/user/login', { username: over, password: PW }],
    ['/user/login', { username: 'jo', password: PW, user_agent: over }],
    ['/user/login', { username: 'jo', password: PW }, { 'user-agent': over }],
    ['/user/approve', { user_id: over, ust }],
    ['/password/reset', { credential: 'jo' }, { 'user-agent': over }],
  ]) {
    const r = await send(f.sso, 'POST', path, { body: JSON.stringify({ current_app: APP, ...body }), headers: { 'content-type': 'application/json', ...headers } });
    assert.equal(r.http, 400, path);
    assert.deepEqual(r.sub_status, ['E008002'], path);
    assert.ok(!JSON.stringify(r).includes('vvvv'));
  }
  assert.equal(f.events.length, before, 'no audit record');
  assert.ok(!JSON.stringify(f.events).includes('vvvv'));
});

// Item 19 -----------------------------------------------------------------------------------

test('REST sign-up refuses sign_up_status (E008002); the JS API keeps Zato\'s behaviour for trusted callers', async () => {
  const f = fixture({ config: { signup: { is_approval_needed: false } } });
  const r = await send(f.sso, 'POST', '/user/signup', json({ current_app: APP, username: 'jo', password: PW, sign_up_status: 'final' }));
  assert.equal(r.http, 400);
  assert.deepEqual(r.sub_status, ['E008002']);
  assert.equal(f.events.length, 0);
  const ok = await send(f.sso, 'POST', '/user/signup', json({ current_app: APP, username: 'jo', password: PW }));
  assert.equal(ok.status, 'ok');
  // The user waits for confirmation: a login is refused (E005003).
  await assert.rejects(f.sso.user.login(null, 'jo', PW, APP, ADDR), (e) => e.sub_status[0] === 'E005003');
  // The JS API is trusted host code: it keeps Zato's sign_up_status (hosts strip client input).
  await f.sso.user.signup(null, { username: 'trusted', password: PW, sign_up_status: 'final' }, APP, ADDR);
  assert.ok((await f.sso.user.login(null, 'trusted', PW, APP, ADDR)).ust);
});
