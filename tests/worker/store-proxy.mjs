// The store conformance suite (tests/conformance/suite.mjs) runs in Node; the store under test
// lives inside workerd. A proxy store forwards each call as a POST of { op, args } (plus the
// worker's own fields, e.g. which store) and unwraps its { ok, value | error } answer.
export const ATOMIC_OPS = ['get', 'put', 'delete', 'list', 'putIfAbsent', 'getMany', 'commit'];

/** `call(op, ...args)`: one store call to the worker of `mf` at `url`; a refusal throws. */
export function storeCall(mf, url, fields = {}) {
  return async (op, ...args) => {
    const res = await mf.dispatchFetch(url, { method: 'POST', body: JSON.stringify({ ...fields, op, args }) });
    const r = await res.json();
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
}

/**
 * The suite's `{ store, advance }` over `call`. The clock moves inside the worker: the suite's
 * synchronous advance queues an `advance` call, and every store call waits for it first.
 */
export function proxyStore(call, ops = ATOMIC_OPS) {
  let pending = Promise.resolve();
  const store = Object.fromEntries(ops.map((op) => [op, async (...args) => { await pending; return call(op, ...args); }]));
  return { store, advance: (ms) => { pending = pending.then(() => call('advance', ms)); } };
}
