// Node.js: read the .wasm next to the glue and instantiate it synchronously at import.
import { readFileSync } from 'node:fs';
import { initSync } from '../wasm/edge_sso.js';

initSync({ module: readFileSync(new URL('../wasm/edge_sso_bg.wasm', import.meta.url)) });

export * from '../lib/index.js';
