// The core's operation table, error codes, limits and timestamp fields (src/api/mod.rs
// `manifest`): what the package is built from, so that each is declared once, in Rust. Read at
// the first use, once the entry point has instantiated the wasm.
import { manifest as wasmManifest } from '../wasm/edge_sso.js';

let cached;

/** The manifest, parsed once. */
export function manifest() {
  cached ??= JSON.parse(wasmManifest());
  return cached;
}
