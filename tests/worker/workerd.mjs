// Miniflare's options for the two ways these tests put code on workerd: a bundle folder (what
// wrangler or esbuild wrote: ES modules, each .wasm a compiled module, as workerd refuses to
// compile wasm from bytes), or a worker file of this source tree run as it is.
import { resolve } from 'node:path';
import { Miniflare } from 'miniflare';

export const COMPATIBILITY_DATE = '2026-04-01';
const ROOT = resolve(import.meta.dirname, '../..');

/** The options that run `entry` of the bundle folder `dir`. */
export function bundleOptions(dir, entry) {
  return {
    modules: true,
    scriptPath: resolve(dir, entry),
    modulesRoot: dir,
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
    compatibilityDate: COMPATIBILITY_DATE,
  };
}

/**
 * `entry` (a file beside this one) started unbundled, its imports read from this tree
 * (../../pkg/lib/…); `options` add to Miniflare's. The caller disposes of it.
 */
export function sourceWorker(entry, options = {}) {
  return new Miniflare({
    modules: true,
    modulesRoot: ROOT,
    scriptPath: resolve(import.meta.dirname, entry),
    modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }],
    compatibilityDate: COMPATIBILITY_DATE,
    ...options,
  });
}
