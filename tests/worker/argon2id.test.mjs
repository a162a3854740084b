// workerd: the package's Argon2id hash, made in a worker, verifies with @node-rs/argon2.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as reference from '@node-rs/argon2';
import { PASSWORD } from '../argon2id/phc-from-package.mjs';
import { sourceWorker } from './workerd.mjs';

const mf = sourceWorker('argon2id-worker.js', {
  modulesRules: [
    { type: 'ESModule', include: ['**/*.js', '**/*.mjs'] },
    { type: 'CompiledWasm', include: ['**/*.wasm'] },
  ],
});
after(() => mf.dispose());

test('[workerd] the stored Argon2id hash verifies with @node-rs/argon2', async () => {
  const phc = await (await mf.dispatchFetch('http://argon2.test/')).text();
  assert.match(phc, /^\$argon2id\$v=19\$m=1024,t=2,p=2\$/);
  assert.equal(await reference.verify(phc, PASSWORD), true);
  assert.equal(await reference.verify(phc, `${PASSWORD}!`), false);
});
