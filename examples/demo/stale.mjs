// `make demo`'s rebuild check: exits 0 (and says so) when pkg/wasm is newer than the Rust
// sources and the worker bundle is newer than the package and the worker's sources, so that
// an unchanged checkout starts without wasm-bindgen and wasm-opt; exits 1 naming what is stale.
//   node examples/demo/stale.mjs [root]
import { readdirSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** Newest modification time under `path` (a file or a folder), and which file it is. */
function newest(path) {
  let best = { time: -Infinity, file: path };
  let st;
  try {
    st = statSync(path);
  } catch {
    return best;
  }
  if (!st.isDirectory()) return { time: st.mtimeMs, file: path };
  for (const name of readdirSync(path)) {
    if (name === 'node_modules') continue;
    const n = newest(join(path, name));
    if (n.time > best.time) best = n;
  }
  return best;
}

const mtime = (path) => {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return null;
  }
};

/** What needs rebuilding under `root`: a list of reasons, empty when nothing does. */
export function staleReasons(root) {
  const at = (p) => resolve(root, p);
  const reasons = [];
  const outputs = [
    { out: 'pkg/wasm/edge_sso_bg.wasm', inputs: ['src', 'Cargo.toml', 'Cargo.lock'] },
    { out: 'www/vendor/qrcode.mjs', inputs: [] },
    { out: '.build/worker/worker.js', inputs: ['pkg', 'examples/cloudflare-worker/src', 'examples/cloudflare-worker/wrangler.toml', 'examples/cloudflare-worker/package.json'] },
  ];
  if (mtime(at('node_modules')) === null) reasons.push('node_modules is missing');
  for (const { out, inputs } of outputs) {
    const built = mtime(at(out));
    if (built === null) {
      reasons.push(`${out} is missing`);
      continue;
    }
    for (const input of inputs) {
      const n = newest(at(input));
      if (n.time > built) reasons.push(`${relative(root, n.file)} is newer than ${out}`);
    }
  }
  return reasons;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = resolve(process.argv[2] ?? resolve(import.meta.dirname, '../..'));
  const reasons = staleReasons(root);
  if (reasons.length) {
    console.log(`rebuilding: ${reasons[0]}${reasons.length > 1 ? ` (and ${reasons.length - 1} more)` : ''}`);
    process.exit(1);
  }
  console.log('pkg/wasm and the worker bundle are up to date: no rebuild');
}
