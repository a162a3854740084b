// The race suite (tests/races/cases.mjs) on D1Store inside workerd: each case runs in the worker,
// its concurrent calls included, on a table of its own in the D1 binding DB. Bundled by
// tests/worker/d1-races.test.mjs with the installed package.
//   GET  /cases           the case names
//   POST /run {name}      runs one case: { name, ok, error?, ms }
import { Sso, SsoError, D1Store } from 'edge-sso';
import { races } from '../races/cases.mjs';

const SUITE = 'D1Store (workerd)';

function cases(env, makeStore) {
  const found = new Map();
  races((name, fn) => found.set(name, fn), SUITE, makeStore, { Sso, SsoError, liveness: env.RACES_LIVENESS === '1' });
  return found;
}

let tables = 0;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/cases') {
      return Response.json([...cases(env, () => { throw new Error('listing only'); }).keys()]);
    }
    if (url.pathname === '/run' && request.method === 'POST') {
      const { name } = await request.json();
      // A fresh table per case: the case's fresh store.
      const fn = cases(env, () => D1Store.open(env.DB, { table: `race_${++tables}` })).get(name);
      if (!fn) return Response.json({ name, ok: false, error: 'no such case' }, { status: 404 });
      const started = Date.now();
      try {
        await fn();
        return Response.json({ name, ok: true, ms: Date.now() - started });
      } catch (e) {
        return Response.json({ name, ok: false, error: `${e?.name}: ${e?.message}`, ms: Date.now() - started });
      }
    }
    return new Response('not found', { status: 404 });
  },
};
