// Cloudflare Workers forbid compiling wasm from bytes: the .wasm is imported as a module
// (wrangler's and miniflare's CompiledWasm rule) and instantiated synchronously.
import wasmModule from '../wasm/edge_sso_bg.wasm';
import { initSync } from '../wasm/edge_sso.js';

initSync({ module: wasmModule });

export * from '../lib/index.js';
