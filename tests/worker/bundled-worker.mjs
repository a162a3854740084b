// A test worker bundled the way wrangler bundles users' workers, with the package as
// `make worker-bundle` installs it (examples/cloudflare-worker/node_modules/edge-sso, its
// "workerd" export, each .wasm left as a module of its own: workerd refuses to compile wasm
// from bytes), then started on workerd through miniflare.
import { after } from 'node:test';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { bundleOptions } from './workerd.mjs';

const root = resolve(import.meta.dirname, '../..');
const installed = resolve(root, 'examples/cloudflare-worker/node_modules');

/** Bundles `entry` (a file beside this one) and starts it with `options` added to Miniflare's. */
export async function bundledWorker(entry, options = {}) {
  if (!existsSync(resolve(installed, 'edge-sso/package.json'))) {
    throw new Error(`edge-sso is not installed in ${installed}: run \`make worker-bundle\` (make test-worker does)`);
  }
  const out = mkdtempSync(join(tmpdir(), `edge-sso-${basename(entry, '.js')}-`));
  after(() => rmSync(out, { recursive: true, force: true }));
  await build({
    entryPoints: [resolve(import.meta.dirname, entry)],
    outfile: join(out, 'worker.js'),
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    conditions: ['workerd', 'worker', 'browser'],
    nodePaths: [installed],
    external: ['cloudflare:*'],
    logLevel: 'warning',
    plugins: [{
      name: 'wasm-module',
      setup(b) {
        b.onResolve({ filter: /\.wasm$/ }, (args) => {
          const file = resolve(args.resolveDir, args.path);
          copyFileSync(file, join(out, basename(file)));
          return { path: `./${basename(file)}`, external: true };
        });
      },
    }],
  });
  const mf = new Miniflare({ ...bundleOptions(out, 'worker.js'), ...options });
  after(() => mf.dispose());
  return mf;
}
