// The example worker, bundled the way users bundle theirs (`wrangler deploy --dry-run`), run
// on a real workerd through miniflare: the REST suite against its KV variant and its Durable
// Object variant, over HTTP requests.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { exampleWorker, BUNDLE as bundle } from './example-worker.mjs';
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
  /** The token sent for `username`: the reset runs after the response, so wait a little. */
  const read = async (username) => {
    for (let i = 0; i < 250 && !tokens.has(username); i++) await new Promise((r) => setTimeout(r, 20));
    return tokens.get(username);
  };
  return { outboundService, read };
}

function start(store, outboundService) {
  return exampleWorker({
    SSO_STORE: store,
    SSO_SECRET_KEY: Buffer.alloc(32, 11).toString('base64'),
    SSO_ADMIN_USERNAME: admin.username,
    SSO_ADMIN_PASSWORD: admin.password,
    SSO_CONFIG: JSON.stringify({ argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } }),
    SSO_RESET_WEBHOOK: 'https://mail.test/reset',
    SSO_RESET_WEBHOOK_TOKEN: 'mail-secret',
  }, { outboundService });
}

test('the bundle is within the Workers free-plan size limit (3 MB gzipped)', () => {
  const files = readdirSync(bundle).filter((f) => !f.endsWith('.map') && !f.endsWith('.md'));
  const gz = files.reduce((n, f) => n + gzipSync(readFileSync(resolve(bundle, f)), { level: 9 }).length, 0);
  console.log(`worker bundle: ${files.join(', ')}: ${(gz / 1024).toFixed(0)} KiB gzipped`);
  assert.ok(gz < 3 * 1024 * 1024);
});

for (const store of ['kv', 'durable-object', 'partitioned']) {
  const mail = mailbox();
  const mf = start(store, mail.outboundService);
  after(() => mf.dispose());
  const send = async (method, path, body, opts) => {
    const req = toRequest('http://worker.test', method, path, body, opts);
    const init = { method: req.method, headers: Object.fromEntries(req.headers) };
    if (req.body) init.body = Buffer.from(await req.arrayBuffer());
    init.headers['cf-connecting-ip'] = '127.0.0.1';
    return mf.dispatchFetch(req.url, init);
  };
  restSuite((name, fn) => test(`[workerd, ${store}] ${name}`, fn), { send, admin, atomicStore: store !== 'kv', readResetToken: mail.read });

  if (store === 'partitioned') {
    test('[workerd, partitioned] the cron trigger runs cleanup over every shard', async () => {
      await (await mf.getWorker()).scheduled({ cron: '*/15 * * * *' });
    });
    continue;
  }

  test(`[workerd, ${store}] the cron trigger runs cleanup: an expired attribute leaves the store`, async () => {
    const call = async (method, path, body) => (await send(method, `/zato/sso${path}`, { current_app: 'CRM', ...body })).json();
    const { ust } = await call('POST', '/user/login', admin);
    const before = await attributeRecords();
    const { user_id } = await call('GET', '/user', { ust });
    const created = await call('POST', '/user/attr', { ust, user_id, name: `cron-${store}`, value: 'short lived', expiration: 1 });
    assert.equal(created.status, 'ok', JSON.stringify(created));
    await new Promise((r) => setTimeout(r, 1100));
    if (store === 'kv') assert.equal(await attributeRecords(), before + 1);
    await (await mf.getWorker()).scheduled({ cron: '*/15 * * * *' });
    assert.equal(await attributeRecords(), store === 'kv' ? before : 0);
  });

  /**
   * On KV, how many attribute records the store holds, read beside the worker. A Durable Object's
   * storage is reachable only from inside it: there, how many expired attribute records its own
   * cleanup (the RPC method the cron trigger calls) still finds.
   */
  async function attributeRecords() {
    if (store === 'kv') return (await (await mf.getKVNamespace('SSO_KV')).list({ prefix: 'sso/attr/' })).keys.length;
    const ns = await mf.getDurableObjectNamespace('SSO_DO');
    return (await ns.get(ns.idFromName('sso')).cleanup()).attributes;
  }
}
