// Deno: the Argon2id hash the package stores for a user (made by the simd128 path in Deno's
// V8) verifies with a reference, hash-wasm (the reference C implementation compiled to wasm).
import { Sso, MemoryStore } from 'edge-sso';
import { argon2Verify } from '../../node_modules/hash-wasm/dist/index.esm.js';
import { phcFromPackage, PASSWORD } from '../argon2id/phc-from-package.mjs';

Deno.test('[deno] the stored Argon2id hash verifies with the reference implementation', async () => {
  const phc = await phcFromPackage({ Sso, MemoryStore });
  if (!(await argon2Verify({ password: PASSWORD, hash: phc }))) throw new Error(`reference refused ${phc}`);
  if (await argon2Verify({ password: `${PASSWORD}!`, hash: phc })) throw new Error('reference accepted a wrong password');
});
