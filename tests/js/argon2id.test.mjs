// Argon2id in wasm (the simd128 compression function, crates/argon2id) against the native
// reference @node-rs/argon2: random inputs through the raw hash, PHC strings both ways, and the
// hash the package stores for a user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as reference from '@node-rs/argon2';
import { initSync, WasmSso } from '../../pkg/wasm/edge_sso.js';
import { Sso, MemoryStore } from 'edge-sso';
import { phcFromPackage, PASSWORD, PARAMS } from '../argon2id/phc-from-package.mjs';

initSync({ module: readFileSync(new URL('../../pkg/wasm/edge_sso_bg.wasm', import.meta.url)) });

/** xorshift32: deterministic, so a failing case can be reproduced from its printed inputs. */
function rng(seed) {
  let x = seed;
  const next = () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x >>> 0; };
  return { below: (n) => next() % n, bytes: (n) => Uint8Array.from({ length: n }, () => next() & 255) };
}

test('the package is built with the simd128 compression function', () => {
  assert.equal(WasmSso.argon2idImplementation(), 'simd128');
});

test('raw Argon2id matches @node-rs/argon2 on 300 random inputs (lanes, passes, secrets, long outputs)', async () => {
  const r = rng(0x5eed1234);
  for (let i = 0; i < 300; i++) {
    const p = 1 + r.below(4);
    const t = 1 + r.below(3);
    const m = 8 * p + (i % 30 === 0 ? r.below(4096) : r.below(300));
    const outLen = [4 + r.below(60), 32, 64, 65 + r.below(200)][r.below(4)];
    const password = r.bytes(r.below(64));
    const salt = r.bytes(8 + r.below(40));
    const secret = r.below(3) === 0 ? r.bytes(1 + r.below(32)) : new Uint8Array(0);
    const ours = WasmSso.benchArgon2idRaw(password, salt, secret, m, t, p, outLen);
    const want = await reference.hashRaw(password, {
      salt, memoryCost: m, timeCost: t, parallelism: p, outputLen: outLen, algorithm: 2, version: 1,
      ...(secret.length ? { secret } : {}),
    });
    assert.deepEqual(Buffer.from(ours), want, `case ${i}: m=${m} t=${t} p=${p} len=${outLen} pw=${Buffer.from(password).toString('hex')} salt=${Buffer.from(salt).toString('hex')} secret=${Buffer.from(secret).toString('hex')}`);
  }
});

test('PHC strings cross-verify with @node-rs/argon2 at OWASP parameters, both ways', async () => {
  const pw = 'correct horse battery staple';
  const ours = WasmSso.benchArgon2idHash(pw, 19456, 2, 1);
  assert.equal(await reference.verify(ours, pw), true);
  assert.equal(await reference.verify(ours, pw + '!'), false);
  const theirs = await reference.hash(pw, { memoryCost: 19456, timeCost: 2, parallelism: 1, algorithm: 2 });
  assert.equal(WasmSso.benchArgon2idVerify(pw, theirs), true);
  assert.equal(WasmSso.benchArgon2idVerify(pw + '!', theirs), false);
});

test('the hash the package stores for a user verifies with @node-rs/argon2 (Node)', async () => {
  const phc = await phcFromPackage({ Sso, MemoryStore });
  assert.match(phc, new RegExp(`^\\$argon2id\\$v=19\\$m=${PARAMS.m_cost},t=${PARAMS.t_cost},p=${PARAMS.p_cost}\\$`));
  assert.equal(await reference.verify(phc, PASSWORD), true);
  assert.equal(await reference.verify(phc, 'not it'), false);
});
