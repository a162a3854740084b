// The partitioned Durable Object store (PartitionedDurableObjectStore + StoreShard) on workerd,
// through the installed package bundled as wrangler would: the store conformance suite, the
// race suite with the core in the stateless worker, and a worker dying between shards in the
// middle of a create, a rename and a delete (every message of the two-phase commit).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from '../conformance/suite.mjs';
import { bundledWorker } from './bundled-worker.mjs';
import { proxyStore, storeCall } from './store-proxy.mjs';
import { raceSuiteOnWorker } from './race-suite-on-worker.mjs';

const mf = await bundledWorker('partitioned-worker.js', {
  durableObjects: { SSO_SHARDS: { className: 'Shard', useSQLite: true } },
  bindings: { SSO_TEST_CLOCK: '1' },
});

const post = async (path, body) => (await mf.dispatchFetch(`http://p.test${path}`, { method: 'POST', body: JSON.stringify(body) })).json();

let stores = 0;
conformance(test, 'PartitionedDurableObjectStore (workerd)', async () => proxyStore(storeCall(mf, 'http://p.test/store', { store: `conf${++stores}` })));

test('partitioned: a commit across shards is all or nothing, and listings merge every shard in order', async () => {
  const call = storeCall(mf, 'http://p.test/store', { store: 'xshard' });
  // Keys of different owners land on different shards (4 shards, 40 users).
  const keys = Array.from({ length: 40 }, (_, i) => `sso/user/u${i}`);
  assert.equal(await call('commit', { checks: keys.map((key) => ({ key, value: null })), puts: keys.map((key) => ({ key, value: '1' })) }), true);
  assert.deepEqual(await call('getMany', keys), keys.map(() => '1'));
  // One failing check on any shard: nothing is written anywhere.
  const more = keys.map((k) => `${k}/x`.replace('sso/user/', 'sso/user-session/'));
  assert.equal(await call('commit', { checks: [{ key: keys[7], value: 'other' }], puts: more.map((key) => ({ key, value: '2' })) }), false);
  assert.deepEqual(await call('getMany', more), more.map(() => null));
  const page1 = await call('list', { prefix: 'sso/user/', limit: 15 });
  const page2 = await call('list', { prefix: 'sso/user/', limit: 30, cursor: page1.cursor });
  assert.deepEqual([...page1.keys, ...page2.keys].map((k) => k.name), [...keys].sort());
  assert.equal(page2.list_complete, true);
});

await raceSuiteOnWorker(test, mf, 'http://p.test');

for (const kind of ['create', 'rename', 'delete']) {
  test(`partitioned: a worker dying between shards in a ${kind} leaves nothing half-done`, async (t) => {
    let cases = 0;
    for (let n = 0; n < 12; n++) {
      const r = await post('/fault', { kind, n });
      t.diagnostic(`dies after ${n}: ${r.result}`);
      assert.ok(r.ok, r.error);
      assert.deepEqual(r.violations, [], `dies after ${n} messages (${r.result}): ${r.violations.join('; ')}`);
      cases++;
      if (r.result === 'ok') break;
    }
    t.diagnostic(`${cases} failure points, 0 violations`);
    assert.ok(cases >= 3, `only ${cases} failure points: the ${kind} did not span shards`);
  });
}
