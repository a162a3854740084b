// The race suite (tests/races/cases.mjs) on D1Store inside workerd: each case runs in the worker,
// its concurrent calls included, on a table of its own in the D1 binding DB. Bundled by
// tests/worker/d1-races.test.mjs with the installed package.
//   GET  /cases           the case names
//   POST /run {name}      runs one case: { name, ok, error?, ms }
import { Sso, SsoError, D1Store } from 'edge-sso';
import { caseNames, raceCases, runCase } from './race-endpoints.js';

const SUITE = 'D1Store (workerd)';
const deps = (env) => ({ Sso, SsoError, liveness: env.RACES_LIVENESS === '1' });

let tables = 0;

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/cases') return caseNames(SUITE, deps(env));
    if (url.pathname === '/run' && request.method === 'POST') {
      const { name } = await request.json();
      // A fresh table per case: the case's fresh store.
      return runCase(raceCases(SUITE, () => D1Store.open(env.DB, { table: `race_${++tables}` }), deps(env)), name);
    }
    return new Response('not found', { status: 404 });
  },
};
