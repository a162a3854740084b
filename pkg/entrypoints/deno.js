// Deno: read the local file when the package is on disk, fetch it otherwise.
import init from '../wasm/edge_sso.js';

const url = new URL('../wasm/edge_sso_bg.wasm', import.meta.url);
await init({ module_or_path: url.protocol === 'file:' ? await Deno.readFile(url) : url });

export * from '../lib/index.js';
