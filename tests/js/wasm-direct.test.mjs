// The generated glue used directly (bypassing the package's JS checks): a value nested deeper
// than 128 levels or a cycle is E008002 from the core itself, and the instance keeps working.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { initSync, WasmSso } from '../../pkg/wasm/edge_sso.js';

initSync({ module: readFileSync(new URL('../../pkg/wasm/edge_sso_bg.wasm', import.meta.url)) });
const nested = (d) => { let v = 1; for (let i = 0; i < d; i++) v = [v]; return v; };
const store = { get: () => null, put() {}, delete() {}, list: () => ({ keys: [], list_complete: true }) };
const key = Buffer.alloc(32, 4).toString('base64');

test('deep and cyclic values never trap the wasm', async () => {
  assert.throws(() => new WasmSso({ store, secretKey: key, config: { password: nested(5000) } }), (e) => e.sub_status[0] === 'E008002');
  const w = new WasmSso({ store, secretKey: key });
  const cyclic = {};
  cyclic.self = cyclic;
  for (const args of [[nested(5000)], [null, cyclic], [null, { username: nested(200) }]]) {
    await assert.rejects(w.call('user.createUser', args), (e) => e.sub_status[0] === 'E008002' && /nested deeper than 128/.test(e.message));
  }
  await assert.rejects(w.call('user.getCurrentUser', [null, 'x', 'CRM', '']), (e) => e.sub_status[0] === 'E007001');
});
