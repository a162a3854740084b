// The race suite on workerd with D1: tests/worker/d1-races-worker.js bundled with the installed
// package as wrangler would (tests/worker/bundled-worker.mjs), run through miniflare; every case
// runs in the worker on D1Store over a real D1 binding, a table per case.
import { test } from 'node:test';
import { bundledWorker } from './bundled-worker.mjs';
import { raceSuiteOnWorker } from './race-suite-on-worker.mjs';

const mf = await bundledWorker('d1-races-worker.js', {
  d1Databases: ['DB'],
  bindings: { RACES_LIVENESS: process.env.RACES_LIVENESS ?? '' },
});

await raceSuiteOnWorker(test, mf, 'http://race.test', { label: 'workerd, D1', where: 'in the worker' });
