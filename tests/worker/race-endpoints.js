// The race suite's endpoints, shared by the race test workers (races-worker.js,
// d1-races-worker.js, partitioned-worker.js). esbuild bundles this file into each of them
// (tests/worker/bundled-worker.mjs), so each worker stays one self-contained script.
//   GET  /cases           caseNames(): the case names
//   POST /run {name}      runCase(): one case, timed: { name, ok, error?, ms }
import { races } from '../races/cases.mjs';

/** The suite's cases for `suite` on `makeStore`, by name (nothing runs yet). */
export function raceCases(suite, makeStore, { Sso, SsoError, liveness }) {
  const found = new Map();
  races((name, fn) => found.set(name, fn), suite, makeStore, { Sso, SsoError, liveness });
  return found;
}

/** The answer to GET /cases: the names alone, from cases whose stores are never made. */
export function caseNames(suite, deps) {
  return Response.json([...raceCases(suite, () => { throw new Error('listing only'); }, deps).keys()]);
}

/** Runs case `name` of `cases`; a failure is an answer (ok: false, its error), not a throw. */
export async function runCase(cases, name) {
  const fn = cases.get(name);
  if (!fn) return Response.json({ name, ok: false, error: 'no such case' }, { status: 404 });
  const started = Date.now();
  try {
    await fn();
    return Response.json({ name, ok: true, ms: Date.now() - started });
  } catch (e) {
    return Response.json({ name, ok: false, error: `${e?.name}: ${e?.message}`, ms: Date.now() - started });
  }
}
