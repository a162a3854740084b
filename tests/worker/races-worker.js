// The race suite (tests/races/cases.mjs) inside Durable Objects on workerd: each case runs in an
// object of its own, on DurableObjectStore(ctx.storage), the whole case (its concurrent calls
// included) inside the object. Bundled by tests/worker/races.test.mjs with the installed package.
//   GET  /cases           the case names
//   POST /run {name}      runs one case in the object named after it: { name, ok, error?, ms }
import { DurableObject } from 'cloudflare:workers';
import { Sso, SsoError, DurableObjectStore } from 'edge-sso';
import { caseNames, raceCases, runCase } from './race-endpoints.js';

const SUITE = 'DurableObjectStore (workerd)';
const deps = (env) => ({ Sso, SsoError, liveness: env.RACES_LIVENESS === '1' });

export class RaceObject extends DurableObject {
  async fetch(request) {
    const { name } = await request.json();
    // A fresh object per case: its storage is the case's fresh store.
    return runCase(raceCases(SUITE, async () => new DurableObjectStore(this.ctx.storage), deps(this.env)), name);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/cases') return caseNames(SUITE, deps(env));
    if (url.pathname === '/run' && request.method === 'POST') {
      const body = await request.text();
      const { name } = JSON.parse(body);
      return env.RACES.get(env.RACES.idFromName(name)).fetch('http://race.test/run', { method: 'POST', body });
    }
    return new Response('not found', { status: 404 });
  },
};
