// edge-sso/hono in Node, through Hono's own `app.request()`: the REST API mounted, the session
// middleware (bearer, cookie, linked Basic Auth), the guards, and what never reaches a client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Hono } from 'hono';
import { Sso, MemoryStore } from 'edge-sso';
import { mountSso, ssoSession, requireUser, requireSuperUser, sessionUst, defaultRemoteAddr } from 'edge-sso/hono';
import { KEY, APP, ADMIN, ADMIN_PW, FAST } from './helpers.mjs';

const SITE = 'https://app.example';
const USER = { username: 'reader', password: 'reader passphrase 1' };
/** What @hono/node-server hands the app as its env: the Node request, with its socket. */
const NODE_ENV = { incoming: { socket: { remoteAddress: '10.9.8.7' } } };

/** An app as a user writes it: the REST API first, then the middleware and guarded routes. */
async function world({ http, store = new MemoryStore(), securityDefinitions } = {}) {
  const events = [];
  const sso = new Sso({ store, secretKey: KEY, config: { ...FAST, http }, audit: (e) => events.push(e), securityDefinitions });
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const adminUst = (await sso.user.login(null, ADMIN, ADMIN_PW, APP, '10.0.0.1')).ust;
  const reader = { ...USER };
  await sso.user.createUser(null, reader, adminUst, APP, '10.0.0.1', { autoApprove: true });
  const seen = {};
  const app = new Hono();
  mountSso(app, sso);
  app.use('*', ssoSession(sso, { currentApp: APP }));
  app.get('/public', (c) => c.json({ user: c.get('ssoUser')?.username ?? null }));
  app.get('/me', requireUser(), (c) => {
    seen.ust = sessionUst(c);
    seen.vars = JSON.stringify({ user: c.get('ssoUser'), session: c.get('ssoSession') });
    return c.json({ username: c.get('ssoUser').username, session: c.get('ssoSession') });
  });
  app.post('/notes', requireUser(), (c) => c.json({ saved: true }));
  app.get('/admin', requireSuperUser(), (c) => c.json({ admin: c.get('ssoUser').username }));
  const send = (method, path, { body, headers = {}, env = NODE_ENV, ctx } = {}) => app.request(`${SITE}${path}`, {
    method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined,
  }, env, ctx);
  const login = async (who, headers) => send('POST', '/zato/sso/user/login', { body: { ...who, current_app: APP }, headers });
  return { sso, app, send, login, seen, events, store, readerId: reader.user_id };
}

const bearer = (ust) => ({ authorization: `Bearer ${ust}` });
const ADMIN_CREDS = { username: ADMIN, password: ADMIN_PW };

test('mountSso: the REST API answers under /zato/sso/, with the socket address of @hono/node-server', async () => {
  const w = await world();
  const r = await w.login(USER);
  assert.equal(r.status, 200);
  const body = await r.json();
  assert.equal(body.status, 'ok');
  assert.ok(body.ust.length > 20);
  const login = w.events.filter((e) => e.op === 'user.login').at(-1);
  assert.equal(login.extra.remote_addr, NODE_ENV.incoming.socket.remoteAddress);
  // sso.fetch's own envelope for what it does not know.
  const unknown = await w.send('GET', '/zato/sso/no/such/endpoint');
  assert.equal(unknown.status, 404);
  // Paths outside /zato/sso/ stay the app's.
  assert.deepEqual(await (await w.send('GET', '/public')).json(), { user: null });
});

test('mountSso hands the Worker\'s waitUntil the password reset\'s work', async () => {
  const w = await world();
  const kept = [];
  const ctx = { waitUntil: (p) => kept.push(p), passThroughOnException() {} };
  const r = await w.send('POST', '/zato/sso/password/reset', { body: { current_app: APP, credential: USER.username }, ctx });
  assert.equal((await r.json()).status, 'ok');
  assert.equal(kept.length, 1);
  await Promise.all(kept);
});

test('bearer: requireUser lets the session\'s user in; ssoUser has no totp_key, ssoSession no UST', async () => {
  const w = await world();
  const { ust } = await (await w.login(USER)).json();
  const r = await w.send('GET', '/me', { headers: bearer(ust) });
  assert.equal(r.status, 200);
  const me = await r.json();
  assert.equal(me.username, USER.username);
  assert.equal(me.session.source, 'bearer');
  assert.equal(me.session.user_id, w.readerId);
  // The session as listings show it: its handle and times, never the UST.
  const [listed] = await w.sso.user.session.getList(null, ust, null, null, APP, '10.0.0.1');
  assert.equal(me.session.session_id, listed.session_id);
  assert.equal(me.session.expiration_time, listed.expiration_time.toISOString());
  assert.equal(w.seen.ust, ust, 'sessionUst(c) gives the credential to code that asks for it');
  assert.ok(!w.seen.vars.includes(ust), 'the UST is not in c.var');
  assert.ok(!w.seen.vars.includes('totp_key'));
  // The middleware's calls are audited with the address.
  assert.equal(w.events.filter((e) => e.op === 'session.get_current').at(-1).extra.remote_addr, '10.9.8.7');
  const direct = await w.sso.user.getCurrentUser(null, ust, APP, '10.0.0.1');
  assert.ok(direct.totp_key, 'getCurrentUser itself shows the user their key: removed on purpose');
});

test('guards: 401 E005001 without a session or with a refused one, 403 for a user on a super-user route, 200 for a super-user', async () => {
  const w = await world();
  for (const headers of [{}, bearer('not-a-ust'), { authorization: 'Digest x' }, bearer('')]) {
    const r = await w.send('GET', '/me', { headers });
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.deepEqual(await r.json(), { cid: '', status: 'error', sub_status: ['E005001'], details: 'Sign-in required' });
    assert.equal(r.headers.get('www-authenticate'), 'Bearer');
    assert.equal(r.headers.get('cache-control'), 'no-store');
  }
  const userUst = (await (await w.login(USER)).json()).ust;
  const denied = await w.send('GET', '/admin', { headers: bearer(userUst) });
  assert.equal(denied.status, 403);
  assert.deepEqual(await denied.json(), { cid: '', status: 'error', sub_status: ['E005001'], details: 'Super-users only' });
  assert.equal((await w.send('GET', '/admin')).status, 401);
  const adminUst = (await (await w.login(ADMIN_CREDS)).json()).ust;
  const allowed = await w.send('GET', '/admin', { headers: bearer(adminUst) });
  assert.equal(allowed.status, 200);
  assert.deepEqual(await allowed.json(), { admin: ADMIN });
  // A public route runs with or without a session.
  assert.deepEqual(await (await w.send('GET', '/public', { headers: bearer('not-a-ust') })).json(), { user: null });
  assert.deepEqual(await (await w.send('GET', '/public', { headers: bearer(userUst) })).json(), { user: USER.username });
});

test('logout over the mounted API ends access through the middleware', async () => {
  const w = await world();
  const { ust } = await (await w.login(USER)).json();
  assert.equal((await w.send('GET', '/me', { headers: bearer(ust) })).status, 200);
  const out = await w.send('POST', '/zato/sso/user/logout', { body: { current_app: APP }, headers: bearer(ust) });
  assert.equal((await out.json()).status, 'ok');
  assert.equal((await w.send('GET', '/me', { headers: bearer(ust) })).status, 401);
});

test('cookie sessions: the login cookie signs requests in, a cross-site change is refused E008006, logout clears it', async () => {
  const w = await world({ http: { cookie_sessions: true } });
  const r = await w.login(USER, { origin: SITE });
  assert.equal((await r.json()).ust, undefined, 'the UST stays out of the body');
  const jar = r.headers.get('set-cookie').split(';')[0];
  assert.match(jar, /^__Host-zato-ust=/);
  const me = await w.send('GET', '/me', { headers: { cookie: jar } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).session.source, 'cookie');
  // A state change the cookie authenticates: from this site yes, from another no.
  assert.equal((await w.send('POST', '/notes', { headers: { cookie: jar, origin: SITE } })).status, 200);
  assert.equal((await w.send('POST', '/notes', { headers: { cookie: jar, 'sec-fetch-site': 'same-origin' } })).status, 200);
  for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }]) {
    const refused = await w.send('POST', '/notes', { headers: { cookie: jar, ...headers } });
    assert.equal(refused.status, 403);
    assert.deepEqual(await refused.json(), { cid: '', status: 'error', sub_status: ['E008006'], details: 'a change from another site' });
  }
  // A cross-site GET reads (SameSite=Lax lets top-level navigations carry the cookie).
  assert.equal((await w.send('GET', '/me', { headers: { cookie: jar, 'sec-fetch-site': 'cross-site' } })).status, 200);
  // Two cookies of the session's name: refused, as sso.fetch refuses them.
  assert.equal((await w.send('GET', '/me', { headers: { cookie: `${jar}; ${jar}` } })).status, 401);
  const out = await w.send('POST', '/zato/sso/user/logout', { body: { current_app: APP }, headers: { cookie: jar, origin: SITE } });
  assert.match(out.headers.get('set-cookie'), /^__Host-zato-ust=; .*Max-Age=0$/);
  assert.equal((await w.send('GET', '/me', { headers: { cookie: jar } })).status, 401);
});

test('cookie sessions off (the default): a session cookie is ignored', async () => {
  const w = await world();
  const { ust } = await (await w.login(USER)).json();
  assert.equal((await w.send('GET', '/me', { headers: { cookie: `__Host-zato-ust=${encodeURIComponent(ust)}` } })).status, 401);
});

test('a linked Basic Auth credential is the linked user\'s session (source "linked")', async () => {
  const w = await world({ securityDefinitions: { basic_auth: [{ id: 1, username: 'billing', password: 'billing secret' }] } });
  const adminUst = (await (await w.login(ADMIN_CREDS)).json()).ust;
  await w.sso.user.createLinkedAuth(null, adminUst, w.readerId, 'basic_auth', 'billing', true, APP, '10.0.0.1');
  const basic = (secret) => ({ authorization: `Basic ${btoa(`billing:${secret}`)}`, 'x-zato-sso-current-app': APP });
  const r = await w.send('GET', '/me', { headers: basic('billing secret') });
  assert.equal(r.status, 200);
  const me = await r.json();
  assert.equal(me.username, USER.username);
  assert.equal(me.session.source, 'linked');
  assert.equal(me.session.user_id, w.readerId);
  assert.equal(me.session.auth_type, 'basic_auth');
  assert.equal((await w.send('GET', '/me', { headers: basic('wrong') })).status, 401);
});

test('a failing store answers 500 in the envelope, never a signed-out user', async () => {
  const inner = new MemoryStore();
  let failing = false;
  const store = {
    get: (k) => (failing ? Promise.reject(new Error('store down')) : inner.get(k)),
    put: (...a) => inner.put(...a), delete: (...a) => inner.delete(...a), list: (...a) => inner.list(...a),
    putIfAbsent: (...a) => inner.putIfAbsent(...a), getMany: (k) => (failing ? Promise.reject(new Error('store down')) : inner.getMany(k)),
    commit: (...a) => inner.commit(...a),
  };
  const w = await world({ store });
  const { ust } = await (await w.login(USER)).json();
  failing = true;
  const r = await w.send('GET', '/me', { headers: bearer(ust) });
  assert.equal(r.status, 500);
  const body = await r.json();
  assert.equal(body.status, 'error');
  assert.deepEqual(body.sub_status, ['E008004']);
  assert.ok(!JSON.stringify(body).includes('store down'));
});

test('misuse is a clear error: no currentApp, no Sso, a guard without the middleware', async () => {
  const sso = new Sso({ store: new MemoryStore(), secretKey: KEY, config: FAST });
  assert.throws(() => ssoSession(sso), /needs currentApp/);
  assert.throws(() => ssoSession(sso, { currentApp: 7 }), /needs currentApp/);
  assert.throws(() => ssoSession({ fetch() {} }, { currentApp: APP }), /takes an Sso/);
  assert.throws(() => mountSso(new Hono(), {}), /takes an Sso/);
  assert.throws(() => mountSso(new Hono(), sso, { remoteAddr: 'x' }), /remoteAddr must be a function/);
  const app = new Hono();
  let error;
  app.onError((e, c) => { error = e; return c.text('x', 500); });
  app.get('/me', requireUser(), (c) => c.text('in'));
  assert.equal((await app.request('/me')).status, 500);
  assert.match(error.message, /requireUser\(\) runs after the ssoSession/);
});

test('remoteAddr: given, or by default the runtime\'s (none from headers outside Workers)', async () => {
  const w = await world();
  const app = new Hono();
  app.get('/addr', (c) => c.text(defaultRemoteAddr(c)));
  assert.equal(await (await app.request('/addr', { headers: { 'cf-connecting-ip': '6.6.6.6' } })).text(), '');
  assert.equal(await (await app.request('/addr', {}, { remoteAddr: { hostname: '10.1.1.1' } })).text(), '10.1.1.1');
  const custom = new Hono();
  mountSso(custom, w.sso, { remoteAddr: (c) => c.req.header('x-test-proxy-addr') });
  await custom.request('/zato/sso/user/login', {
    method: 'POST', headers: { 'content-type': 'application/json', 'x-test-proxy-addr': '192.0.2.4' }, body: JSON.stringify({ ...USER, current_app: APP }),
  });
  assert.equal(w.events.filter((e) => e.op === 'user.login').at(-1).extra.remote_addr, '192.0.2.4');
});

test('on Workers, CF-Connecting-IP counts only for a request Cloudflare\'s edge annotated (self-hosted workerd passes a forged one through)', async () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Cloudflare-Workers' }, configurable: true });
  try {
    const app = new Hono();
    app.get('/addr', (c) => c.text(defaultRemoteAddr(c)));
    const forged = new Request('https://app.example/addr', { headers: { 'cf-connecting-ip': '203.0.113.66' } });
    assert.equal(await (await app.fetch(forged)).text(), '', 'no edge annotation: the header is the client\'s own');
    const viaEdge = new Request('https://app.example/addr', { headers: { 'cf-connecting-ip': '198.51.100.7' } });
    Object.defineProperty(viaEdge, 'cf', { value: { colo: 'FRA' } });
    assert.equal(await (await app.fetch(viaEdge)).text(), '198.51.100.7');
  } finally {
    if (saved) Object.defineProperty(globalThis, 'navigator', saved);
    else delete globalThis.navigator;
  }
});

test('the main entry never loads hono: only lib/hono.js knows it, and it imports nothing of hono', () => {
  const pkg = resolve(import.meta.dirname, 'node_modules/edge-sso');
  const files = (dir) => readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(join(dir, d.name)) : [join(dir, d.name)]));
  for (const file of files(pkg).filter((f) => f.endsWith('.js') || f.endsWith('.mjs'))) {
    const text = readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /from\s+['"]hono|import\(\s*['"]hono/, file);
    if (!file.endsWith('lib/hono.js')) assert.doesNotMatch(text, /['"]\.\/hono\.js['"]/, file);
  }
  const manifest = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
  assert.deepEqual(manifest.exports['./hono'], { types: './hono.d.ts', default: './lib/hono.js' });
  assert.equal(manifest.peerDependenciesMeta.hono.optional, true);
});
