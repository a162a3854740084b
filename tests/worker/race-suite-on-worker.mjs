// The Node side of the race suite run inside workerd (the workers' endpoints are
// tests/worker/race-endpoints.js): one node:test test per case the worker lists, each run there
// by POST /run and passing only on the worker's { name, ok: true } for that very case.
import assert from 'node:assert/strict';

/**
 * Registers the tests for the worker `mf` at `origin`. With `label`, one more test checks that
 * the worker lists the suite's cases at all (at least 17), so that an empty list cannot pass.
 * `where` says in each test's diagnostic where the case ran ("in the object").
 */
export async function raceSuiteOnWorker(test, mf, origin, { label, where = '' } = {}) {
  const names = await (await mf.dispatchFetch(`${origin}/cases`)).json();
  if (label) {
    test(`${label}: the race suite has its cases`, () => {
      assert.ok(names.length >= 17, `${names.length} cases`);
    });
  }
  for (const name of names) {
    test(name, async (t) => {
      const res = await mf.dispatchFetch(`${origin}/run`, { method: 'POST', body: JSON.stringify({ name }) });
      const r = await res.json();
      assert.equal(r.name, name);
      t.diagnostic(`${r.ms} ms ${where}`.trimEnd());
      assert.ok(r.ok, r.error);
    });
  }
}
