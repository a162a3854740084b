// Writes the REST API's OpenAPI 3.1 document, as the freshly built wasm generates it from the
// route table (src/rest/table.rs), to the package: `node tools/openapi.mjs <wasm> <out.json>`.
import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { initSync, openapiDocument } from '../pkg/wasm/edge_sso.js';

const [wasmPath, outPath] = process.argv.slice(2);
initSync({ module: readFileSync(wasmPath) });
const text = `${JSON.stringify(JSON.parse(openapiDocument()), null, 2)}\n`;
// Written beside, then renamed: a concurrent pack never reads half a document.
writeFileSync(`${outPath}.tmp`, text);
renameSync(`${outPath}.tmp`, outPath);
console.log(`wrote ${outPath} (${text.length} bytes)`);
