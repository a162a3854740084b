// The race suite on workerd with D1: tests/worker/d1-races-worker.js bundled with the package as
// installed by `make worker-bundle` (examples/cloudflare-worker/node_modules/edge-sso, its
// "workerd" export, the .wasm imported as a module as wrangler does), run through miniflare;
// every case runs in the worker on D1Store over a real D1 binding, a table per case.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';

const root = resolve(import.meta.dirname, '../..');
const installed = resolve(root, 'examples/cloudflare-worker/node_modules');
if (!existsSync(resolve(installed, 'edge-sso/package.json'))) {
  throw new Error(`edge-sso is not installed in ${installed}: run \`make worker-bundle\` (make test-worker does)`);
}

const out = mkdtempSync(join(tmpdir(), 'edge-sso-d1-races-worker-'));
after(() => rmSync(out, { recursive: true, force: true }));

// As wrangler bundles: the "workerd" export condition, and each .wasm left as a module of its
// own next to the bundle (workerd refuses to compile wasm from bytes).
await build({
  entryPoints: [resolve(import.meta.dirname, 'd1-races-worker.js')],
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

const mf = new Miniflare({
  modules: true,
  scriptPath: join(out, 'worker.js'),
  modulesRoot: out,
  modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
  compatibilityDate: '2026-04-01',
  d1Databases: ['DB'],
  bindings: { RACES_LIVENESS: process.env.RACES_LIVENESS ?? '' },
});
after(() => mf.dispose());

const names = await (await mf.dispatchFetch('http://race.test/cases')).json();

test('workerd, D1: the race suite has its cases', () => {
  assert.ok(names.length >= 17, `${names.length} cases`);
});

for (const name of names) {
  test(name, async (t) => {
    const res = await mf.dispatchFetch('http://race.test/run', { method: 'POST', body: JSON.stringify({ name }) });
    const r = await res.json();
    assert.equal(r.name, name);
    t.diagnostic(`${r.ms} ms in the worker`);
    assert.ok(r.ok, r.error);
  });
}
