// The example worker, bundled the way users bundle theirs (`wrangler deploy --dry-run`), run
// on a real workerd through miniflare: the REST suite against its KV variant and its Durable
// Object variant, over HTTP requests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { BUNDLE as bundle } from './example-worker.mjs';
import { exampleWorkerForRestSuite, ADMIN as admin, callJson } from './example-worker-rest.mjs';
import { restSuite } from '../rest/suite.mjs';

test('the bundle is within the Workers free-plan size limit (3 MB gzipped)', () => {
  const files = readdirSync(bundle).filter((f) => !f.endsWith('.map') && !f.endsWith('.md'));
  const gz = files.reduce((n, f) => n + gzipSync(readFileSync(resolve(bundle, f)), { level: 9 }).length, 0);
  console.log(`worker bundle: ${files.join(', ')}: ${(gz / 1024).toFixed(0)} KiB gzipped`);
  assert.ok(gz < 3 * 1024 * 1024);
});

for (const store of ['kv', 'durable-object', 'partitioned']) {
  const { mf, client } = exampleWorkerForRestSuite(store);
  restSuite((name, fn) => test(`[workerd, ${store}] ${name}`, fn), { ...client, atomicStore: store !== 'kv' });

  if (store === 'partitioned') {
    test('[workerd, partitioned] the cron trigger runs cleanup over every shard', async () => {
      await (await mf.getWorker()).scheduled({ cron: '*/15 * * * *' });
    });
    continue;
  }

  test(`[workerd, ${store}] the cron trigger runs cleanup: an expired attribute leaves the store`, async () => {
    const call = callJson(client.send);
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
