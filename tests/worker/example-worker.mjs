// The example worker as `make worker-bundle` leaves it in .build/worker (wrangler's output),
// on workerd through miniflare, the way the tests, the console test and `make demo` run it.
import { resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import { bundleOptions } from './workerd.mjs';

export const BUNDLE = resolve(import.meta.dirname, '../../.build/worker');

/** `bindings` are the worker's environment; `options` adds to Miniflare's (persistence). */
export function exampleWorker(bindings, options = {}) {
  return new Miniflare({
    ...bundleOptions(BUNDLE, 'worker.js'),
    kvNamespaces: ['SSO_KV'],
    durableObjects: { SSO_DO: { className: 'SsoDurableObject', useSQLite: true }, SSO_SHARDS: { className: 'SsoShard', useSQLite: true } },
    bindings,
    ...options,
  });
}
