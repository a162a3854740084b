// The race suite (tests/races/cases.mjs) inside Durable Objects on workerd: each case runs in an
// object of its own, on DurableObjectStore(ctx.storage), the whole case (its concurrent calls
// included) inside the object. Bundled by tests/worker/races.test.mjs with the installed package.
//   GET  /cases           the case names
//   POST /run {name}      runs one case in the object named after it: { name, ok, error?, ms }
import { DurableObject } from 'cloudflare:workers';
import { Sso, SsoError, DurableObjectStore } from 'edge-sso';
import { races } from '../races/cases.mjs';

const SUITE = 'DurableObjectStore (workerd)';

function cases(env, makeStore) {
  const found = new Map();
  races((name, fn) => found.set(name, fn), SUITE, makeStore, { Sso, SsoError, liveness: env.RACES_LIVENESS === '1' });
  return found;
}

export class RaceObject extends DurableObject {
  async fetch(request) {
    const { name } = await request.json();
    // A fresh object per case: its storage is the case's fresh store.
    const fn = cases(this.env, async () => new DurableObjectStore(this.ctx.storage)).get(name);
    if (!fn) return Response.json({ name, ok: false, error: 'no such case' }, { status: 404 });
    const started = Date.now();
    try {
      await fn();
      return Response.json({ name, ok: true, ms: Date.now() - started });
    } catch (e) {
      return Response.json({ name, ok: false, error: `${e?.name}: ${e?.message}`, ms: Date.now() - started });
    }
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/cases') {
      return Response.json([...cases(env, () => { throw new Error('listing only'); }).keys()]);
    }
    if (url.pathname === '/run' && request.method === 'POST') {
      const body = await request.text();
      const { name } = JSON.parse(body);
      return env.RACES.get(env.RACES.idFromName(name)).fetch('http://race.test/run', { method: 'POST', body });
    }
    return new Response('not found', { status: 404 });
  },
};
