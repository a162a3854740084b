// Deno: the package through its "deno" export, the Deno KV adapter against the conformance
// suite (a temporary KV file), and the REST suite against sso.fetch over Deno KV.
import { Sso, DenoKvStore, MemoryStore } from 'edge-sso';
import { conformance } from '../conformance/suite.mjs';
import { restSuite, toRequest } from '../rest/suite.mjs';

const dir = await Deno.makeTempDir({ prefix: 'edge-sso-deno-' });
const kvs = [];
let n = 0;

async function openKv() {
  const kv = await Deno.openKv(`${dir}/kv-${++n}.sqlite3`);
  kvs.push(kv);
  return kv;
}

// Deno.test refuses async leaks by default; the KV handles are closed at the end.
const test = (name, fn) => Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

conformance(test, 'DenoKvStore', async () => {
  const c = { t: 1_700_000_000_000 };
  return { store: new DenoKvStore(await openKv(), { now: () => c.t }), advance: (ms) => { c.t += ms; } };
});

const tokens = new Map();
const sso = new Sso({
  store: new DenoKvStore(await openKv()),
  secretKey: btoa(String.fromCharCode(...new Uint8Array(32).fill(13))),
  config: { argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } },
  hooks: { sendPasswordReset: (m) => { tokens.set(m.username, m.token); } },
});
const admin = { username: 'admin', password: 'deno admin passphrase' };
await sso.user.createSuperUser('boot', { ...admin }); // enriched in place: keep ours intact

const pending = []; // work the responses leave behind (the password reset's token)
restSuite((name, fn) => test(`[deno] ${name}`, fn), {
  send: (method, path, body, opts) => sso.fetch(toRequest('http://deno.test', method, path, body, opts), { remoteAddr: '127.0.0.1', waitUntil: (p) => pending.push(p) }),
  admin,
  readResetToken: async (username) => {
    await Promise.all(pending);
    return tokens.get(username);
  },
});

test('[deno] 100 concurrent creates of one username on Deno KV create one user', async () => {
  const s = new Sso({ store: new DenoKvStore(await openKv()), secretKey: btoa('k'.repeat(32)), config: { argon2: { m_cost: 64, t_cost: 1 } } });
  await s.user.createSuperUser(null, { username: 'root1', password: 'a long passphrase' });
  const { ust } = await s.user.login(null, 'root1', 'a long passphrase', 'CRM', '');
  const results = await Promise.allSettled(Array.from({ length: 100 }, () => s.user.createUser(null, { username: 'race' }, ust, 'CRM', '')));
  const won = results.filter((r) => r.status === 'fulfilled').length;
  if (won !== 1) throw new Error(`${won} creates succeeded`);
});

test('[deno] MemoryStore works too', async () => {
  const s = new Sso({ store: new MemoryStore(), secretKey: btoa('m'.repeat(32)), config: { argon2: { m_cost: 64, t_cost: 1 } } });
  const id = await s.user.createSuperUser(null, { username: 'a', password: 'a long passphrase' });
  if (!id.startsWith('zusr')) throw new Error(id);
});

test('[deno] the example server (examples/deno) serves the REST API over Deno KV', async () => {
  const { createHandler } = await import('../../examples/deno/main.js');
  const admin2 = { username: 'admin', password: 'deno example passphrase' };
  const ex = await createHandler({ kvPath: `${dir}/example.sqlite3`, secretKey: btoa('e'.repeat(32)), admin: admin2, config: { argon2: { m_cost: 64, t_cost: 1 } } });
  const info = { remoteAddr: { hostname: '127.0.0.1' } };
  const login = await ex.handler(toRequest('http://x', 'POST', '/zato/sso/user/login', { current_app: 'CRM', ...admin2 }), info);
  const { ust, status } = await login.json();
  if (status !== 'ok' || !ust) throw new Error(`login: ${status}`);
  const me = await (await ex.handler(toRequest('http://x', 'GET', '/zato/sso/user', { current_app: 'CRM', ust }), info)).json();
  if (me.username !== 'admin' || me.is_super_user !== true) throw new Error(JSON.stringify(me));
  ex.close();
});

// What Deno.serve does with a GET that carries a body (Zato's Python clients send GET inputs
// that way): the Request it hands over has no body, so the inputs are not seen (here: no
// current_app, E004001), and the same inputs in the query string work (README "REST API").
// Sent over a raw socket, since fetch() refuses to send a body with a GET.
test('[deno] Deno.serve drops a GET body: Zato clients\' GET inputs must come as the query string', async () => {
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, (req) => sso.fetch(req, { remoteAddr: '127.0.0.1' }));
  try {
    const { port } = server.addr;
    const login = await (await fetch(`http://127.0.0.1:${port}/zato/sso/user/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ current_app: 'CRM', ...admin }),
    })).json();
    const body = JSON.stringify({ ust: login.ust, current_app: 'CRM' });
    const conn = await Deno.connect({ hostname: '127.0.0.1', port });
    const request = `GET /zato/sso/user HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${new TextEncoder().encode(body).length}\r\nConnection: close\r\n\r\n${body}`;
    await conn.write(new TextEncoder().encode(request));
    let text = '';
    const buf = new Uint8Array(65536);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += new TextDecoder().decode(buf.subarray(0, n));
    }
    conn.close();
    if (!text.startsWith('HTTP/1.1 403') || !text.includes('"sub_status":["E004001"]')) throw new Error(`GET with a body: ${text.slice(0, 400)}`);
    const query = new URLSearchParams({ ust: login.ust, current_app: 'CRM' });
    const me = await (await fetch(`http://127.0.0.1:${port}/zato/sso/user?${query}`)).json();
    if (me.username !== 'admin') throw new Error(`GET with a query: ${JSON.stringify(me).slice(0, 200)}`);
  } finally {
    await server.shutdown();
  }
});

test('[deno] close', async () => {
  for (const kv of kvs) kv.close();
  await Deno.remove(dir, { recursive: true });
});
