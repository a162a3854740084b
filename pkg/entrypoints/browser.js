// Browsers and bundlers: fetch and instantiate the .wasm once, at import.
import init from '../wasm/edge_sso.js';

await init({ module_or_path: new URL('../wasm/edge_sso_bg.wasm', import.meta.url) });

export * from '../lib/index.js';
