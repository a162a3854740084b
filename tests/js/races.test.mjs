// The race suite (tests/races/cases.mjs) through the installed package in Node: on MemoryStore,
// and on IndexedDbStore over fake-indexeddb (Chromium's real IndexedDB runs it in tests/browser).
// RACES_LIVENESS=1 adds the opt-in liveness cases.
import { test } from 'node:test';
import { Sso, SsoError, MemoryStore, IndexedDbStore } from 'edge-sso';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { races } from '../races/cases.mjs';

globalThis.IDBKeyRange ??= IDBKeyRange;
const liveness = process.env.RACES_LIVENESS === '1';

races(test, 'MemoryStore', async () => new MemoryStore(), { Sso, SsoError, liveness });

let db = 0;
races(test, 'IndexedDbStore (fake-indexeddb)', () => IndexedDbStore.open(`races-${++db}`, { indexedDB: new IDBFactory() }), { Sso, SsoError, liveness });
