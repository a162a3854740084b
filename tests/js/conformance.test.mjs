// The store conformance suite against the adapters that run in Node: MemoryStore, and
// IndexedDbStore over fake-indexeddb (the same suite runs on Chromium's real IndexedDB in tests/browser).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryStore, IndexedDbStore } from 'edge-sso';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { conformance } from '../conformance/suite.mjs';

globalThis.IDBKeyRange ??= IDBKeyRange;

function clock() {
  const c = { t: 1_700_000_000_000 };
  return { now: () => c.t, advance: (ms) => { c.t += ms; } };
}

conformance(test, 'MemoryStore', async () => {
  const { now, advance } = clock();
  return { store: new MemoryStore({ now }), advance };
});

let db = 0;
conformance(test, 'IndexedDbStore', async () => {
  const { now, advance } = clock();
  const store = await IndexedDbStore.open(`conformance-${++db}`, { now, indexedDB: new IDBFactory() });
  return { store, advance };
});

test('IndexedDbStore: another store name for an existing database is refused at open, clearly', async () => {
  const indexedDB = new IDBFactory();
  const a = await IndexedDbStore.open('shared', { storeName: 'a', indexedDB });
  await a.put('k', 'in a');
  await assert.rejects(IndexedDbStore.open('shared', { storeName: 'b', indexedDB }), /has no store "b": give each store name its own database/);
  assert.equal(await (await IndexedDbStore.open('shared', { storeName: 'a', indexedDB })).get('k'), 'in a');
  assert.equal(await a.get('k'), 'in a', 'the first connection is untouched');
});
