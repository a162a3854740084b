// The race suite on workerd: tests/worker/races-worker.js bundled with the package as installed
// by `make worker-bundle` (examples/cloudflare-worker/node_modules/edge-sso, its "workerd"
// export, the .wasm imported as a module as wrangler does), run through miniflare; every case
// runs inside a Durable Object on DurableObjectStore(ctx.storage).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundledWorker } from './bundled-worker.mjs';

const mf = await bundledWorker('races-worker.js', {
  durableObjects: { RACES: { className: 'RaceObject', useSQLite: true } },
  bindings: { RACES_LIVENESS: process.env.RACES_LIVENESS ?? '' },
});

const names = await (await mf.dispatchFetch('http://race.test/cases')).json();

test('workerd: the race suite has its cases', () => {
  assert.ok(names.length >= 17, `${names.length} cases`);
});

for (const name of names) {
  test(name, async (t) => {
    const res = await mf.dispatchFetch('http://race.test/run', { method: 'POST', body: JSON.stringify({ name }) });
    const r = await res.json();
    assert.equal(r.name, name);
    t.diagnostic(`${r.ms} ms in the object`);
    assert.ok(r.ok, r.error);
  });
}
