// The example worker (.build/worker, bundled by wrangler) in its D1 mode (SSO_STORE "d1", the D1
// binding DB) on workerd through miniflare: the REST suite over HTTP requests, with an atomic
// store, and the cron trigger's cleanup emptying expired rows from the D1 table.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { exampleWorker } from './example-worker.mjs';
import { restSuite, toRequest } from '../rest/suite.mjs';

const admin = { username: 'admin', password: 'worker admin passphrase' };

/** The mail service behind SSO_RESET_WEBHOOK: the worker's outbound requests land here. */
function mailbox() {
  const tokens = new Map();
  const outboundService = async (request) => {
    if (request.url !== 'https://mail.test/reset' || request.headers.get('authorization') !== 'Bearer mail-secret') {
      return new Response('no', { status: 403 });
    }
    const message = await request.json();
    tokens.set(message.username, message.token);
    return new Response('queued', { status: 202 });
  };
  const read = async (username) => {
    for (let i = 0; i < 250 && !tokens.has(username); i++) await new Promise((r) => setTimeout(r, 20));
    return tokens.get(username);
  };
  return { outboundService, read };
}

const mail = mailbox();
const mf = exampleWorker({
  SSO_STORE: 'd1',
  SSO_SECRET_KEY: Buffer.alloc(32, 11).toString('base64'),
  SSO_ADMIN_USERNAME: admin.username,
  SSO_ADMIN_PASSWORD: admin.password,
  SSO_CONFIG: JSON.stringify({ argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } }),
  SSO_RESET_WEBHOOK: 'https://mail.test/reset',
  SSO_RESET_WEBHOOK_TOKEN: 'mail-secret',
}, { outboundService: mail.outboundService, d1Databases: ['DB'] });
after(() => mf.dispose());

const send = async (method, path, body, opts) => {
  const req = toRequest('http://worker.test', method, path, body, opts);
  const init = { method: req.method, headers: Object.fromEntries(req.headers) };
  if (req.body) init.body = Buffer.from(await req.arrayBuffer());
  init.headers['cf-connecting-ip'] = '127.0.0.1';
  return mf.dispatchFetch(req.url, init);
};

restSuite((name, fn) => test(`[workerd, d1] ${name}`, fn), { send, admin, atomicStore: true, readResetToken: mail.read });

/** The attribute rows of the D1 table, read beside the worker. */
async function attributeRows() {
  const db = await mf.getD1Database('DB');
  const { results } = await db.prepare("SELECT k FROM edge_sso WHERE k >= 'sso/attr/' AND k < 'sso/attr0' ORDER BY k").all();
  return results.map((r) => r.k);
}

test('[workerd, d1] the store is the D1 table edge_sso', async () => {
  const db = await mf.getD1Database('DB');
  const { n } = await db.prepare('SELECT count(*) AS n FROM edge_sso').first();
  assert.ok(n > 0, 'the super-user and the suite\'s records are rows of edge_sso');
});

test('[workerd, d1] the cron trigger runs cleanup: an expired attribute leaves the table', async () => {
  const call = async (method, path, body) => (await send(method, `/zato/sso${path}`, { current_app: 'CRM', ...body })).json();
  const { ust } = await call('POST', '/user/login', admin);
  const { user_id } = await call('GET', '/user', { ust });
  const before = new Set(await attributeRows());
  const created = await call('POST', '/user/attr', { ust, user_id, name: 'cron-d1', value: 'short lived', expiration: 1 });
  assert.equal(created.status, 'ok', JSON.stringify(created));
  const added = (await attributeRows()).filter((k) => !before.has(k));
  assert.equal(added.length, 1, 'the attribute is one row');
  await new Promise((r) => setTimeout(r, 1100));
  assert.ok((await attributeRows()).includes(added[0]), 'the expired attribute stays until cleanup');
  await (await mf.getWorker()).scheduled({ cron: '*/15 * * * *' });
  // scheduled's waitUntil: the cleanup may finish just after.
  for (let i = 0; i < 100 && (await attributeRows()).includes(added[0]); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(!(await attributeRows()).includes(added[0]), 'cleanup deleted the expired attribute');
});
