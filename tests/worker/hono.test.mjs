// The Hono example (examples/hono), bundled by wrangler as a user would (`make worker-bundle`
// leaves it in .build/hono-worker), on workerd through miniflare: login over the mounted REST
// API, the guards, the bearer path, the cookie path with `http.cookie_sessions`, logout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import { bundleOptions } from './workerd.mjs';

const BUNDLE = resolve(import.meta.dirname, '../../.build/hono-worker');
const SITE = 'https://app.example';
const ADMIN = { username: 'admin', password: 'hono admin passphrase' };
const USER = { username: 'reader', password: 'reader passphrase 1' };

function start(config) {
  if (!existsSync(resolve(BUNDLE, 'index.js'))) throw new Error(`no bundle in ${BUNDLE}: run \`make worker-bundle\` (make test-worker does)`);
  const mf = new Miniflare({
    ...bundleOptions(BUNDLE, 'index.js'),
    durableObjects: { SSO_SHARDS: { className: 'SsoShard', useSQLite: true } },
    bindings: {
      SSO_SECRET_KEY: Buffer.alloc(32, 5).toString('base64'),
      SSO_SHARD_COUNT: '4',
      SSO_APP: 'CRM',
      SSO_ADMIN_USERNAME: ADMIN.username,
      SSO_ADMIN_PASSWORD: ADMIN.password,
      SSO_CONFIG: JSON.stringify({ argon2: { m_cost: 256, t_cost: 1, p_cost: 1 }, ...config }),
    },
  });
  after(() => mf.dispose());
  /** A request as Cloudflare delivers it (CF-Connecting-IP set). */
  const send = (method, path, { body, headers = {} } = {}) => mf.dispatchFetch(`${SITE}${path}`, {
    method,
    headers: { 'cf-connecting-ip': '203.0.113.7', ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const login = (who, headers) => send('POST', '/zato/sso/user/login', { body: { ...who, current_app: 'CRM' }, headers });
  return { send, login };
}

const bearer = (ust) => ({ authorization: `Bearer ${ust}` });

async function expectRefusal(response, status, code) {
  assert.equal(response.status, status);
  const body = await response.json();
  assert.equal(body.status, 'error');
  assert.deepEqual(body.sub_status, [code]);
}

test('[workerd, hono] bearer: login over /zato/sso/, the guards, logout ends access', async () => {
  const w = start({});
  const adminLogin = await (await w.login(ADMIN)).json();
  assert.equal(adminLogin.status, 'ok', JSON.stringify(adminLogin));
  const adminUst = adminLogin.ust;
  const created = await (await w.send('POST', '/zato/sso/user', { body: { ...USER, current_app: 'CRM', auto_approve: true }, headers: bearer(adminUst) })).json();
  assert.equal(created.status, 'ok', JSON.stringify(created));
  const userUst = (await (await w.login(USER)).json()).ust;

  await expectRefusal(await w.send('GET', '/me'), 401, 'E005001');
  await expectRefusal(await w.send('GET', '/me', { headers: bearer('forged') }), 401, 'E005001');
  assert.deepEqual(await (await w.send('GET', '/')).json(), { signed_in_as: null });

  const me = await w.send('GET', '/me', { headers: bearer(userUst) });
  assert.equal(me.status, 200);
  const mine = await me.json();
  assert.equal(mine.username, USER.username);
  assert.equal(mine.signed_in_by, 'bearer');

  await expectRefusal(await w.send('GET', '/admin/users', { headers: bearer(userUst) }), 403, 'E005001');
  await expectRefusal(await w.send('GET', '/admin/users'), 401, 'E005001');
  const list = await w.send('GET', '/admin/users', { headers: bearer(adminUst) });
  assert.equal(list.status, 200);
  assert.deepEqual((await list.json()).usernames.sort(), [ADMIN.username, USER.username]);

  const out = await (await w.send('POST', '/zato/sso/user/logout', { body: { current_app: 'CRM' }, headers: bearer(userUst) })).json();
  assert.equal(out.status, 'ok');
  await expectRefusal(await w.send('GET', '/me', { headers: bearer(userUst) }), 401, 'E005001');
  assert.equal((await w.send('GET', '/me', { headers: bearer(adminUst) })).status, 200, 'other sessions live on');
});

test('[workerd, hono] cookie sessions: the login cookie signs the app\'s routes in, CSRF refused, logout clears it', async () => {
  const w = start({ http: { cookie_sessions: true } });
  const r = await w.login(ADMIN, { origin: SITE });
  const body = await r.json();
  assert.equal(body.status, 'ok', JSON.stringify(body));
  assert.equal(body.ust, undefined);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /^__Host-zato-ust=[^;]+; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=\d+$/);
  const jar = cookie.split(';')[0];

  const me = await w.send('GET', '/me', { headers: { cookie: jar } });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).signed_in_by, 'cookie');
  const admin = await w.send('GET', '/admin/users', { headers: { cookie: jar } });
  assert.equal(admin.status, 200);
  assert.deepEqual((await admin.json()).usernames, [ADMIN.username]);
  // A change through the app's own route: from this site, not from another.
  const rename = (origin) => w.send('PUT', '/me/display-name', { body: { display_name: 'Ada' }, headers: { cookie: jar, origin } });
  await expectRefusal(await rename('https://evil.example'), 403, 'E008006');
  assert.equal((await rename(SITE)).status, 200);
  assert.equal((await (await w.send('GET', '/me', { headers: { cookie: jar } })).json()).display_name, 'Ada');
  // A cookie-authenticated change from another site (a logout here, through sso.fetch).
  await expectRefusal(await w.send('POST', '/zato/sso/user/logout', { body: { current_app: 'CRM' }, headers: { cookie: jar, origin: 'https://evil.example' } }), 403, 'E008006');

  const out = await w.send('POST', '/zato/sso/user/logout', { body: { current_app: 'CRM' }, headers: { cookie: jar, origin: SITE } });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /^__Host-zato-ust=; .*Max-Age=0$/);
  await expectRefusal(await w.send('GET', '/me', { headers: { cookie: jar } }), 401, 'E005001');
});
