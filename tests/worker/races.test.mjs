// The race suite on workerd: tests/worker/races-worker.js bundled with the installed package as
// wrangler would (tests/worker/bundled-worker.mjs), run through miniflare; every case runs
// inside a Durable Object on DurableObjectStore(ctx.storage).
import { test } from 'node:test';
import { bundledWorker } from './bundled-worker.mjs';
import { raceSuiteOnWorker } from './race-suite-on-worker.mjs';

const mf = await bundledWorker('races-worker.js', {
  durableObjects: { RACES: { className: 'RaceObject', useSQLite: true } },
  bindings: { RACES_LIVENESS: process.env.RACES_LIVENESS ?? '' },
});

await raceSuiteOnWorker(test, mf, 'http://race.test', { label: 'workerd', where: 'in the object' });
