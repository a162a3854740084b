// The store conformance suite (tests/conformance/suite.mjs) on PostgresStore, through the
// installed package, with a clock the tests move.
import { test } from 'node:test';
import { conformance } from '../conformance/suite.mjs';
import { clock, freshStore } from './helpers.mjs';

conformance(test, 'PostgresStore', async () => {
  const { now, advance } = clock();
  return { store: await freshStore({ now }), advance };
}, { atomic: true });
