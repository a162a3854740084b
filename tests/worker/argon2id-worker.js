// Answers the Argon2id hash the package stores for a new user, made on workerd (its V8, its
// wasm SIMD); tests/worker/argon2id.test.mjs verifies it with the native reference.
import { Sso, MemoryStore } from '../../pkg/entrypoints/workerd.js';
import { phcFromPackage } from '../argon2id/phc-from-package.mjs';

export default {
  async fetch() {
    return new Response(await phcFromPackage({ Sso, MemoryStore }));
  },
};
