// For `make bench` (bench/argon2.mjs): one Argon2id verification per request in a workerd
// isolate, through the package's own wasm (compiled by workerd from the CompiledWasm module).
import wasmModule from '../pkg/wasm/edge_sso_bg.wasm';
import { initSync, WasmSso } from '../pkg/wasm/edge_sso.js';

initSync({ module: wasmModule });

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/noop') return new Response('ok');
    const ok = WasmSso.benchArgon2idVerify(url.searchParams.get('password'), url.searchParams.get('phc'));
    return new Response(ok ? 'ok' : 'mismatch', { status: ok ? 200 : 500 });
  },
};
