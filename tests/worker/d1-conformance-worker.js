// The shipped D1Store over a real D1 binding (DB) inside workerd, driven over fetch by
// tests/worker/d1-conformance.test.mjs. Each `?table=` is a fresh store (a table of its own) with
// a clock of its own; `advance` moves it.
import { D1Store } from '../../pkg/lib/d1.js';

const stores = new Map();

async function storeFor(env, table) {
  let s = stores.get(table);
  if (!s) {
    s = { offset: 0 };
    s.store = D1Store.open(env.DB, { table, now: () => 1_700_000_000_000 + s.offset });
    stores.set(table, s);
  }
  return { state: s, store: await s.store };
}

export default {
  async fetch(request, env) {
    const table = new URL(request.url).searchParams.get('table') ?? 'edge_sso';
    const { op, args } = await request.json();
    try {
      const { state, store } = await storeFor(env, table);
      if (op === 'advance') {
        state.offset += args[0];
        return Response.json({ ok: true });
      }
      return Response.json({ ok: true, value: (await store[op](...args)) ?? null });
    } catch (e) {
      return Response.json({ ok: false, error: String(e) });
    }
  },
};
