// Cookie sessions across origins in real Chromium (issue 17): the example worker on workerd
// serves the REST API on http://localhost:A with http.cookie_sessions and one allowed origin,
// an app page on http://localhost:B signs in with `credentials: 'include'`. Chromium treats
// localhost as a secure context (so `Secure` and `__Host-` cookies work over plain http), and
// ports do not make sites: localhost:B and a third origin localhost:C are same-site with the API
// (its SameSite=Lax cookie goes with their requests, even a form POST: only the CSRF check stands
// in the way), while 127.0.0.1:C is another site. Every request the API receives is recorded
// here, so refusals are checked on the server's side, not only by what a page could see.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { exampleWorker } from '../worker/example-worker.mjs';
import { viaMiniflare } from './static-server.mjs';
import { launch } from './console-helpers.mjs';

const ADMIN = 'root';
const ADMIN_PW = 'cross origin root passphrase';
const COOKIE = '__Host-zato-ust';

const listen = async (server) => {
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
};

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Pages on one origin: `/` is a web app calling the API at `api` (window.app), `/form?...` a
 * form that submits itself at once, as a malicious page would: `action`, `enctype`, and
 * `fields` (JSON: [[name, value], ...]).
 */
function pagesServer(api) {
  return createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    let html;
    if (url.pathname === '/') {
      html = `<!doctype html><meta charset="utf-8"><title>App</title><script>
        const api = ${JSON.stringify(api)};
        async function call(method, path, body) {
          const r = await fetch(api + path, { method, credentials: 'include',
            headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
          return { status: r.status, text: await r.text() };
        }
        window.app = {
          login: (username, password) => call('POST', '/zato/sso/user/login', { username, password, current_app: 'CRM' }),
          me: () => call('GET', '/zato/sso/user?current_app=CRM'),
          renew: () => call('PATCH', '/zato/sso/user/session', { current_app: 'CRM' }),
          logout: () => call('POST', '/zato/sso/user/logout', { current_app: 'CRM' }),
        };
      </script>`;
    } else if (url.pathname === '/form') {
      const fields = JSON.parse(url.searchParams.get('fields') ?? '[]');
      html = `<!doctype html><meta charset="utf-8"><title>Win a prize</title>
        <form method="post" action="${escape(url.searchParams.get('action'))}" enctype="${escape(url.searchParams.get('enctype') ?? 'application/x-www-form-urlencoded')}">
        ${fields.map(([n, v]) => `<input type="hidden" name="${escape(n)}" value="${escape(v)}">`).join('')}</form>
        <script>document.forms[0].submit()</script>`;
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  });
}

/** `rest` with every request and its answer appended to `log` (headers as the worker sent them). */
function recording(rest, log) {
  return (req, res) => {
    const entry = { method: req.method, path: req.url, origin: req.headers.origin, cookie: req.headers.cookie ?? '', contentType: req.headers['content-type'] };
    const writeHead = res.writeHead.bind(res);
    const end = res.end.bind(res);
    res.writeHead = (status, headers) => {
      entry.status = status;
      entry.headers = headers ?? {};
      return writeHead(status, headers);
    };
    res.end = (body) => {
      entry.body = body ? Buffer.from(body).toString('utf8') : '';
      log.push(entry);
      return end(body);
    };
    rest(req, res);
  };
}

let browser;
let mf;
let apiServer;
let appServer;
let otherServer;
let API;
let APP;
/** Not allowed, same-site with the API (localhost): its requests carry the Lax cookie. */
let OTHER;
/** Not allowed, another site (127.0.0.1): its cross-site POSTs carry no Lax cookie. */
let OTHER_SITE;
const log = [];

before(async () => {
  // The API's port first (the pages call it), then the app's (the API allows it).
  apiServer = createServer();
  API = `http://localhost:${await listen(apiServer)}`;
  appServer = pagesServer(API);
  APP = `http://localhost:${await listen(appServer)}`;
  otherServer = pagesServer(API);
  const otherPort = await listen(otherServer);
  OTHER = `http://localhost:${otherPort}`;
  OTHER_SITE = `http://127.0.0.1:${otherPort}`;
  mf = exampleWorker({ SSO_STORE: 'kv', SSO_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'), SSO_ADMIN_USERNAME: ADMIN, SSO_ADMIN_PASSWORD: ADMIN_PW,
    SSO_CONFIG: JSON.stringify({ argon2: { m_cost: 1024, t_cost: 1 }, http: { cookie_sessions: true, allowed_origins: [APP] } }) });
  const rest = recording(viaMiniflare(mf), log);
  apiServer.on('request', (req, res) => (req.url.startsWith('/zato/sso/') ? rest(req, res) : res.writeHead(404).end()));
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await mf?.dispose();
  for (const s of [apiServer, appServer, otherServer]) s?.close();
});

/** The API's answers since `from` (an index into the log) to `method path...`. */
const answers = (from, method, pathStart) => log.slice(from).filter((e) => e.method === method && e.path.startsWith(pathStart));

/** A user's view: a fresh profile on the app page, signed in. */
async function signedIn() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${APP}/`);
  const login = await page.evaluate(([u, p]) => window.app.login(u, p), [ADMIN, ADMIN_PW]);
  assert.equal(login.status, 200, login.text);
  const [cookie] = (await context.cookies()).filter((c) => c.name === COOKIE);
  assert.ok(cookie, 'the session cookie was set');
  return { context, page, login, cookie, errors };
}

/** The session of the browser's cookie, asked from the app page. */
const me = async (page) => {
  const r = await page.evaluate(() => window.app.me());
  return { status: r.status, body: JSON.parse(r.text) };
};

/** Sends an auto-submitting form from `origin` in `context`; resolves the API's answer to it (from the log). */
async function formPost(context, origin, action, { enctype, fields = [] } = {}) {
  const from = log.length;
  const page = await context.newPage();
  const target = new URL(action).pathname;
  const query = new URLSearchParams({ action, fields: JSON.stringify(fields), ...(enctype ? { enctype } : {}) });
  await Promise.all([page.waitForURL((u) => u.href.startsWith(API)), page.goto(`${origin}/form?${query}`)]);
  await page.close();
  const [answer, ...more] = answers(from, 'POST', target);
  assert.ok(answer, `the form's POST to ${target} reached the API`);
  assert.equal(more.length, 0);
  return answer;
}

test('an allowed origin signs in with credentials: include: an HttpOnly __Host- cookie, no UST in the body; the cookie is the session, renew extends it, logout ends it', async () => {
  const from = log.length;
  const { context, page, login, cookie, errors } = await signedIn();
  try {
    const body = JSON.parse(login.text);
    assert.equal(body.status, 'ok');
    assert.equal(body.ust, undefined, 'no UST in the login body');
    assert.ok(!login.text.includes(cookie.value), 'the cookie value is not in what the page read');
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.secure, true);
    assert.equal(cookie.sameSite, 'Lax');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.domain, 'localhost');
    assert.ok(cookie.value.length > 20);
    // HttpOnly: the page's JavaScript does not see it (cookies ignore ports: it is localhost's).
    assert.equal(await page.evaluate(() => document.cookie), '');

    // On the server's side: a preflight answered for the app's origin, then the login with CORS headers.
    const [preflight] = answers(from, 'OPTIONS', '/zato/sso/user/login');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers['access-control-allow-origin'], APP);
    const [answer] = answers(from, 'POST', '/zato/sso/user/login');
    assert.equal(answer.origin, APP);
    assert.equal(answer.headers['access-control-allow-origin'], APP);
    assert.equal(answer.headers['access-control-allow-credentials'], 'true');
    assert.match(answer.headers.vary, /Origin/);
    assert.match(answer.headers['set-cookie'], /^__Host-zato-ust=[^;]+; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=\d+$/);

    // getCurrentUser through the cookie alone: the page never had a UST to send.
    const beforeMe = log.length;
    const user = await me(page);
    assert.equal(user.status, 200);
    assert.equal(user.body.username, ADMIN);
    const [read] = answers(beforeMe, 'GET', '/zato/sso/user');
    assert.ok(read.cookie.includes(`${COOKIE}=`), 'the GET carried the cookie');
    assert.equal(read.headers.authorization, undefined);

    // Renewing the cookie's session (a PATCH: preflighted) extends the cookie, same value.
    const beforeRenew = log.length;
    const renewed = await page.evaluate(() => window.app.renew());
    assert.equal(renewed.status, 200, renewed.text);
    assert.equal(answers(beforeRenew, 'OPTIONS', '/zato/sso/user/session')[0].status, 204);
    assert.match(answers(beforeRenew, 'PATCH', '/zato/sso/user/session')[0].headers['set-cookie'], /^__Host-zato-ust=[^;]+; HttpOnly; Secure; SameSite=Lax; Path=\/; Max-Age=\d+$/);
    const [kept] = (await context.cookies()).filter((c) => c.name === COOKIE);
    assert.equal(kept.value, cookie.value);
    assert.equal(kept.httpOnly, true);

    const out = await page.evaluate(() => window.app.logout());
    assert.equal(out.status, 200, out.text);
    assert.deepEqual((await context.cookies()).filter((c) => c.name === COOKIE), [], 'logout cleared the cookie');
    const beforeAfter = log.length;
    const afterOut = await me(page);
    // No cookie, so no UST at all: Zato's 400 for a request without its input.
    assert.equal(afterOut.status, 400, JSON.stringify(afterOut));
    assert.equal(afterOut.body.result, 'Error');
    assert.equal(answers(beforeAfter, 'GET', '/zato/sso/user')[0].cookie, '');
    // The session itself ended, not only the cookie: its UST, sent as a bearer, is refused.
    const byBearer = await mf.dispatchFetch('http://localhost/zato/sso/user?current_app=CRM', { headers: { authorization: `Bearer ${decodeURIComponent(cookie.value)}` } });
    assert.deepEqual((await byBearer.json()).sub_status, ['E007001']);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('an origin not allowed cannot read the API: credentialed fetches reject, no-cors answers are opaque, preflights refused', async () => {
  const { context, page: appPage } = await signedIn();
  try {
    for (const origin of [OTHER, OTHER_SITE]) {
      const from = log.length;
      const page = await context.newPage();
      await page.goto(`${origin}/`);
      const seen = await page.evaluate(async (api) => {
        const outcome = async (p) => p.then((r) => `read ${r.status}`, (e) => e.name);
        const get = await outcome(fetch(`${api}/zato/sso/user?current_app=CRM`, { credentials: 'include' }));
        const post = await outcome(fetch(`${api}/zato/sso/user/login`, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' }, body: '{}' }));
        const opaque = await fetch(`${api}/zato/sso/user?current_app=CRM`, { credentials: 'include', mode: 'no-cors' });
        return { get, post, opaque: { type: opaque.type, status: opaque.status, text: await opaque.text() } };
      }, API);
      await page.close();
      assert.deepEqual(seen, { get: 'TypeError', post: 'TypeError', opaque: { type: 'opaque', status: 0, text: '' } }, origin);
      // The server answered the simple GETs (reads change nothing) without CORS headers (the
      // no-cors one comes without Origin), and refused the POST's preflight: the POST itself
      // was never sent. The same site's GETs carried the Lax cookie (the user's data was sent,
      // and the browser withheld it from the page); another site's carried none.
      const gets = answers(from, 'GET', '/zato/sso/user');
      assert.deepEqual(gets.map((g) => g.origin), [origin, undefined]);
      for (const g of gets) {
        assert.equal(g.cookie.includes(`${COOKIE}=`), origin === OTHER, origin);
        assert.equal(g.status, origin === OTHER ? 200 : 400, origin);
        assert.equal(g.headers['access-control-allow-origin'], undefined);
        assert.equal(g.headers['access-control-allow-credentials'], undefined);
      }
      const [preflight, ...others] = answers(from, 'OPTIONS', '/zato/sso/user/login');
      assert.equal(preflight.status, 403);
      assert.equal(preflight.headers['access-control-allow-origin'], undefined);
      assert.equal(others.length, 0);
      assert.equal(answers(from, 'POST', '/zato/sso/').length, 0);
    }
    assert.equal((await me(appPage)).body.username, ADMIN);
  } finally {
    await context.close();
  }
});

test('a third origin\'s auto-submitted form POSTs are refused (CSRF: 403 E008006; a form body: 415); the session lives on', async () => {
  const { context, page, cookie } = await signedIn();
  try {
    // Same-site (localhost): Chromium sends the Lax cookie with the form, so the CSRF check is
    // what refuses it.
    const logout = await formPost(context, OTHER, `${API}/zato/sso/user/logout`);
    assert.equal(logout.origin, OTHER);
    assert.ok(logout.cookie.includes(`${COOKIE}=`), 'the same-site form carried the session cookie');
    assert.equal(logout.status, 403);
    assert.deepEqual(JSON.parse(logout.body).sub_status, ['E008006']);
    assert.equal(logout.headers['set-cookie'], undefined);

    // A form with fields is no JSON: refused before the CSRF check (415), the password unchanged.
    // text/plain is the classic way to smuggle a JSON-looking body into a form.
    const smuggled = '{"current_app":"CRM","old_password":"cross origin root passphrase","new_password":"Attacker-chosen-pass-1","x":"';
    const password = await formPost(context, OTHER, `${API}/zato/sso/user/password`, { enctype: 'text/plain', fields: [[smuggled, '"}']] });
    assert.ok(password.cookie.includes(`${COOKIE}=`));
    assert.match(password.contentType, /^text\/plain/);
    assert.equal(password.status, 415);
    const update = await formPost(context, OTHER, `${API}/zato/sso/user`, { fields: [['current_app', 'CRM'], ['display_name', 'Pwned']] });
    assert.equal(update.status, 415);

    // Login CSRF (planting the attacker's session), from another site and the same site: refused
    // whatever the cookie. The inputs ride in the query, so the form's body is empty (no 415).
    for (const origin of [OTHER_SITE, OTHER]) {
      const planted = await formPost(context, origin, `${API}/zato/sso/user/login?username=${ADMIN}&password=${encodeURIComponent(ADMIN_PW)}&current_app=CRM`);
      assert.equal(planted.origin, origin);
      assert.equal(planted.status, 403, origin);
      assert.deepEqual(JSON.parse(planted.body).sub_status, ['E008006']);
      assert.equal(planted.headers['set-cookie'], undefined);
    }

    // Another site's form POST does not even carry the Lax cookie.
    const crossSite = await formPost(context, OTHER_SITE, `${API}/zato/sso/user/logout`);
    assert.equal(crossSite.cookie, '');
    assert.notEqual(crossSite.status, 200);

    // The session is the same one, and works; nothing was changed.
    const [still] = (await context.cookies()).filter((c) => c.name === COOKIE);
    assert.equal(still.value, cookie.value);
    const user = await me(page);
    assert.equal(user.status, 200);
    assert.equal(user.body.username, ADMIN);
    assert.notEqual(user.body.display_name, 'Pwned');
    const relogin = await page.evaluate(([u, p]) => window.app.login(u, p), [ADMIN, ADMIN_PW]);
    assert.equal(relogin.status, 200, 'the password is unchanged');
  } finally {
    await context.close();
  }
});
