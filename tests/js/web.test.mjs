// Browsers in front of sso.fetch (config section `http`): cookie sessions, their CSRF defence,
// and CORS, header by header. Off by default: Zato's clients see no change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { Sso, MemoryStore, toNodeHandler } from 'edge-sso';
import { KEY, APP, ADMIN, ADMIN_PW, FAST } from './helpers.mjs';

const SITE = 'https://sso.example';
const APP_ORIGIN = 'https://app.example';

async function world(http) {
  const sso = new Sso({ store: new MemoryStore(), secretKey: KEY, config: { ...FAST, http } });
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const send = (method, path, { body, headers = {} } = {}) => sso.fetch(new Request(`${SITE}/zato/sso${path}`, {
    method, headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...headers }, body: body ? JSON.stringify(body) : undefined,
  }), { remoteAddr: '10.0.0.1' });
  return { sso, send };
}

const cookieOf = (response) => response.headers.get('set-cookie');
const login = (w, headers) => w.send('POST', '/user/login', { body: { username: ADMIN, password: ADMIN_PW, current_app: APP }, headers });

test('by default: the UST in the body, no cookie, no CORS headers', async () => {
  const w = await world(undefined);
  const r = await login(w, { origin: APP_ORIGIN });
  assert.equal(r.status, 200);
  assert.ok((await r.json()).ust);
  assert.equal(cookieOf(r), null);
  assert.equal(r.headers.get('access-control-allow-origin'), null);
  assert.equal(r.headers.get('vary'), null);
  // A cookie is ignored when cookie sessions are off.
  const me = await w.send('GET', `/user?current_app=${APP}`, { headers: { cookie: '__Host-zato-ust=whatever' } });
  assert.equal(me.status, 400);
});

test('cookie sessions: login sets an HttpOnly cookie, requests use it, renew extends it, logout clears it', async () => {
  const w = await world({ cookie_sessions: true });
  const r = await login(w);
  const body = await r.json();
  assert.equal(body.status, 'ok');
  assert.equal(body.ust, undefined, 'the UST is not in the body');
  const cookie = cookieOf(r);
  assert.match(cookie, /^__Host-zato-ust=[^;]+; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=3600$/);
  const jar = cookie.split(';')[0];
  const me = await (await w.send('GET', `/user?current_app=${APP}`, { headers: { cookie: `other=1; ${jar}` } })).json();
  assert.equal(me.username, ADMIN);
  const renewed = await w.send('PATCH', '/user/session', { body: { current_app: APP }, headers: { cookie: jar, origin: SITE } });
  assert.equal((await renewed.json()).status, 'ok');
  assert.match(cookieOf(renewed), /^__Host-zato-ust=[^;]+; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=3\d{3}$/);
  const out = await w.send('POST', '/user/logout', { body: { current_app: APP }, headers: { cookie: jar, origin: SITE } });
  assert.equal(out.status, 200);
  assert.match(cookieOf(out), /^__Host-zato-ust=; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=0$/);
  const after = await (await w.send('GET', `/user?current_app=${APP}`, { headers: { cookie: jar } })).json();
  assert.deepEqual(after.sub_status, ['E007001']);
});

test('CSRF: a cookie-authenticated change from another site is E008006; bearer and input credentials are unaffected', async () => {
  const w = await world({ cookie_sessions: true, allowed_origins: [APP_ORIGIN] });
  const jar = cookieOf(await login(w)).split(';')[0];
  const create = (headers, extra = {}) => w.send('POST', '/user', { body: { username: `u${Math.random().toString(36).slice(2, 8)}`, current_app: APP, ...extra }, headers });
  for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }]) {
    const r = await create({ cookie: jar, ...headers });
    assert.equal(r.status, 403, JSON.stringify(headers));
    assert.deepEqual((await r.json()).sub_status, ['E008006']);
  }
  for (const headers of [{ origin: SITE }, { origin: APP_ORIGIN }, { 'sec-fetch-site': 'same-origin' }, {}]) {
    assert.equal((await (await create({ cookie: jar, ...headers })).json()).status, 'ok', JSON.stringify(headers));
  }
  // Reads are not changes; a bearer header is no ambient credential.
  assert.equal((await (await w.send('GET', `/user?current_app=${APP}`, { headers: { cookie: jar, origin: 'https://evil.example' } })).json()).username, ADMIN);
  const ust = (await w.sso.user.login(null, ADMIN, ADMIN_PW, APP, '10.0.0.1')).ust;
  assert.equal((await (await create({ authorization: `Bearer ${ust}`, origin: 'https://evil.example' })).json()).status, 'ok');
});

test('bug: a request whose input names a UST does not use the cookie: a logout of that session no longer clears the cookie, a renew no longer resets it', async () => {
  const w = await world({ cookie_sessions: true });
  const jar = cookieOf(await login(w)).split(';')[0];
  const other = async () => (await w.sso.user.login(null, ADMIN, ADMIN_PW, APP, '10.0.0.1')).ust;
  const me = async () => (await (await w.send('GET', `/user?current_app=${APP}`, { headers: { cookie: jar } })).json()).username;
  // Before the fix, this answer cleared the cookie although the cookie's session lived on.
  const ended = await other();
  const out = await w.send('POST', '/user/logout', { body: { current_app: APP, ust: ended }, headers: { cookie: jar, origin: SITE } });
  assert.equal(out.status, 200);
  assert.equal(cookieOf(out), null);
  assert.deepEqual((await (await w.send('GET', `/user?current_app=${APP}&ust=${encodeURIComponent(ended)}`)).json()).sub_status, ['E007001']);
  assert.equal(await me(), ADMIN);
  // Nor does the renew of another session set the cookie (to that session's expiry).
  const renewed = await w.send('PATCH', '/user/session', { body: { current_app: APP, ust: await other() }, headers: { cookie: jar, origin: SITE } });
  assert.equal((await renewed.json()).status, 'ok');
  assert.equal(cookieOf(renewed), null);
  // An input-authenticated change is no CSRF case (a browser never attaches a UST input on its
  // own), and the core reads the input's UST, not the cookie's: the UST in the query works too.
  const evil = await w.send('POST', `/user/logout?ust=${encodeURIComponent(await other())}`, { body: { current_app: APP }, headers: { cookie: jar, origin: 'https://evil.example' } });
  assert.equal(evil.status, 200);
  assert.equal(cookieOf(evil), null);
  assert.equal(await me(), ADMIN);
  // A target_ust request (verify, a POST): the cookie stands for current_ust, so it is used, and CSRF-checked.
  const target = await other();
  const cross = await w.send('POST', '/user/session', { body: { current_app: APP, target_ust: target }, headers: { cookie: jar, origin: 'https://evil.example' } });
  assert.equal(cross.status, 403);
  assert.deepEqual((await cross.json()).sub_status, ['E008006']);
  const own = await (await w.send('POST', '/user/session', { body: { current_app: APP, target_ust: target }, headers: { cookie: jar, origin: SITE } })).json();
  assert.equal(own.status, 'ok', JSON.stringify(own));
  assert.equal(own.is_valid, true);
  assert.equal(await me(), ADMIN);
});

test('bug: a __proto__ key in the body cannot make the cookie stand for a request that names its own UST', async () => {
  const w = await world({ cookie_sessions: true });
  const jar = cookieOf(await login(w)).split(';')[0];
  const other = (await w.sso.user.login(null, ADMIN, ADMIN_PW, APP, '10.0.0.1')).ust;
  // JSON.parse makes "__proto__" an own key, as a client's body would be read.
  const body = JSON.parse(`{"__proto__": {"target_ust": "t"}, "ust": ${JSON.stringify(other)}, "current_app": "${APP}"}`);
  const out = await w.send('POST', '/user/logout', { body, headers: { cookie: jar, origin: SITE } });
  assert.equal(out.status, 200);
  assert.equal(cookieOf(out), null, 'the cookie of a session that lives on was cleared');
  const me = await (await w.send('GET', `/user?current_app=${APP}`, { headers: { cookie: jar } })).json();
  assert.equal(me.username, ADMIN);
});

test('CORS: preflights and answers for allowed origins only, with Vary: Origin', async () => {
  const w = await world({ allowed_origins: [APP_ORIGIN] });
  const preflight = (origin) => w.sso.fetch(new Request(`${SITE}/zato/sso/user`, {
    method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
  }));
  const ok = await preflight(APP_ORIGIN);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), APP_ORIGIN);
  assert.equal(ok.headers.get('access-control-allow-credentials'), 'true');
  assert.match(ok.headers.get('access-control-allow-methods'), /POST/);
  assert.match(ok.headers.get('access-control-allow-headers'), /content-type/);
  assert.equal(ok.headers.get('vary'), 'Origin');
  const refused = await preflight('https://evil.example');
  assert.equal(refused.status, 403);
  assert.equal(refused.headers.get('access-control-allow-origin'), null);
  const answer = await login(w, { origin: APP_ORIGIN });
  assert.equal(answer.headers.get('access-control-allow-origin'), APP_ORIGIN);
  assert.equal(answer.headers.get('access-control-allow-credentials'), 'true');
  assert.equal(answer.headers.get('vary'), 'Origin');
  const other = await login(w, { origin: 'https://evil.example' });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  assert.equal(other.headers.get('vary'), 'Origin');
  // Never a wildcard: an origin not listed gets nothing, not '*'.
  assert.notEqual(answer.headers.get('access-control-allow-origin'), '*');
});

test('the http section is checked: exact origins, a cookie name, booleans', () => {
  const codeOf = (http) => {
    try {
      new Sso({ store: new MemoryStore(), secretKey: KEY, config: { http } });
      return 'ok';
    } catch (e) {
      return e.sub_status[0];
    }
  };
  assert.equal(codeOf({ allowed_origins: ['*'] }), 'E008002');
  assert.equal(codeOf({ allowed_origins: ['https://app.example/'] }), 'E008002');
  assert.equal(codeOf({ allowed_origins: ['app.example'] }), 'E008002');
  assert.equal(codeOf({ cookie_name: 'two words' }), 'E008002');
  assert.equal(codeOf({ cookie_sessions: 'yes' }), 'E008002');
  assert.equal(codeOf({ nope: 1 }), 'E008002');
  assert.equal(codeOf({ cookie_sessions: true, allowed_origins: ['https://app.example', 'http://localhost:5173'] }), 'ok');
  // As browsers send Origin: lower case, no default port; plain http only on loopback.
  assert.equal(codeOf({ allowed_origins: ['http://app.example'] }), 'E008002');
  assert.equal(codeOf({ allowed_origins: ['https://App.example'] }), 'E008002');
  assert.equal(codeOf({ allowed_origins: ['https://app.example:443'] }), 'E008002');
  assert.equal(codeOf({ allowed_origins: ['https://app.example:8443'] }), 'ok');
  // With cookie sessions the name must carry the __Host- prefix (no cookie tossing by a sibling host).
  assert.equal(codeOf({ cookie_sessions: true, cookie_name: 'zato-ust' }), 'E008002');
});

test('cookie sessions: a cross-site login (login CSRF) is refused, login and logout are POST only, two session cookies are refused', async () => {
  const w = await world({ cookie_sessions: true });
  const query = `?username=${ADMIN}&password=${encodeURIComponent(ADMIN_PW)}&current_app=${APP}`;
  // A cross-site form posting the attacker's credentials would plant their session.
  for (const headers of [{ origin: 'https://evil.example' }, { 'sec-fetch-site': 'cross-site' }]) {
    const r = await w.sso.fetch(new Request(`${SITE}/zato/sso/user/login${query}`, { method: 'POST', headers }), { remoteAddr: '10.0.0.1' });
    assert.equal(r.status, 403);
    assert.deepEqual((await r.json()).sub_status, ['E008006']);
    assert.equal(cookieOf(r), null);
  }
  for (const path of [`/user/login${query}`, `/user/logout?current_app=${APP}`]) {
    const r = await w.send('GET', path);
    assert.equal(r.status, 405, path);
    assert.equal(cookieOf(r), null);
    assert.equal((await r.text()).includes('"ust"'), false);
  }
  const jar = cookieOf(await login(w)).split(';')[0];
  const twice = await w.send('GET', `/user?current_app=${APP}`, { headers: { cookie: `${jar}; __Host-zato-ust=planted` } });
  assert.equal(twice.status, 400);
});

test('toNodeHandler: the CSRF check compares with the origin the browser addressed', async () => {
  const sso = new Sso({ store: new MemoryStore(), secretKey: KEY, config: { ...FAST, http: { cookie_sessions: true } } });
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const server = createServer(toNodeHandler(sso));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  try {
    const origin = `http://127.0.0.1:${server.address().port}`;
    const post = (path, body, headers) => fetch(`${origin}/zato/sso${path}`, { method: path === '/user/session' ? 'PATCH' : 'POST', headers: { 'content-type': 'application/json', origin, ...headers }, body: JSON.stringify(body) });
    const r = await post('/user/login', { username: ADMIN, password: ADMIN_PW, current_app: APP });
    assert.equal(r.status, 200);
    // Node's fetch drops Set-Cookie's Secure cookie for http: read the header itself.
    const jar = r.headers.get('set-cookie').split(';')[0];
    const renewed = await post('/user/session', { current_app: APP }, { cookie: jar });
    assert.equal((await renewed.json()).status, 'ok');
    const evil = await post('/user/session', { current_app: APP }, { cookie: jar, origin: 'http://localhost' });
    assert.equal(evil.status, 403);
  } finally {
    server.close();
  }
});

test('the public policy: sso.policy() and GET /zato/sso/policy say the password rules and whether search by email works', async () => {
  const sso = new Sso({ store: new MemoryStore(), secretKey: KEY, config: { ...FAST, password: { min_length: 12 }, main: { encrypt_email: false } } });
  const p = await sso.policy();
  assert.equal(p.password.min_length, 12);
  assert.ok(p.password.reject_list.includes('password'));
  assert.equal(p.search.by_email, true);
  const r = await sso.fetch(new Request(`${SITE}/zato/sso/policy?current_app=${APP}`));
  const body = await r.json();
  assert.equal(body.status, 'ok');
  assert.deepEqual(body.password, p.password);
  assert.equal(JSON.stringify(body).includes(KEY), false);
});
