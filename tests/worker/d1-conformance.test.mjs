// The store conformance suite on workerd for D1Store: a real D1 binding inside the worker
// (tests/worker/d1-conformance-worker.js), a table per test; commit's guards and batches run in
// D1's SQLite. Also: a failing statement in db.batch() rolls back the statements before it,
// which commit's atomicity rests on.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { conformance } from '../conformance/suite.mjs';
import { proxyStore, storeCall } from './store-proxy.mjs';
import { sourceWorker } from './workerd.mjs';
import { D1Store, prefixEnd } from '../../pkg/lib/d1.js';

const mf = sourceWorker('d1-conformance-worker.js', { d1Databases: ['DB'] });
after(() => mf.dispose());

test('D1: a failing statement in db.batch() rolls back the ones before it', async () => {
  const db = await mf.getD1Database('DB');
  await db.prepare('CREATE TABLE rollback_probe (k TEXT PRIMARY KEY, v TEXT NOT NULL)').run();
  await assert.rejects(db.batch([
    db.prepare("INSERT INTO rollback_probe VALUES ('before', 'x')"),
    db.prepare("INSERT INTO rollback_probe (k, v) SELECT 'guard', NULL WHERE 1"),
    db.prepare("INSERT INTO rollback_probe VALUES ('after', 'x')"),
  ]), /NOT NULL constraint failed/);
  assert.deepEqual((await db.prepare('SELECT k FROM rollback_probe').all()).results, []);
});

test('D1Store: the prefix bound of a listing', () => {
  assert.equal(prefixEnd(''), null);
  assert.equal(prefixEnd('a/'), 'a0');
  assert.equal(prefixEnd('\u{10ffff}'), null);
  assert.equal(prefixEnd('a\u{10ffff}'), 'b');
  assert.equal(prefixEnd('a\ud7ff'), 'a\ue000');
  assert.equal(prefixEnd('a\uffff'), 'a\u{10000}');
});

let tables = 0;
/** A fresh store, on a table of its own: its name, and `call(op, ...args)` into the worker. */
function freshTable() {
  const table = `t${++tables}`;
  return { table, call: storeCall(mf, `http://d1.test/?table=${table}`) };
}
conformance(test, 'D1Store (workerd)', async () => proxyStore(freshTable().call), { atomic: true });

test('D1Store (workerd): a listing deletes the expired rows it passes, not those beyond its page', async () => {
  const { table, call } = freshTable();
  for (const k of ['s/1', 's/2', 's/3', 's/4', 's/5']) await call('put', k, 'x', k === 's/1' || k === 's/3' ? undefined : { expirationTtl: 1 });
  await call('put', 'other', 'x', { expirationTtl: 1 });
  await call('advance', 2000);
  const db = await mf.getD1Database('DB');
  const rows = async () => (await db.prepare(`SELECT k FROM ${table} ORDER BY k`).all()).results.map((r) => r.k);
  const page = await call('list', { prefix: 's/', limit: 1 });
  assert.deepEqual(page.keys, [{ name: 's/1' }]);
  assert.equal(page.list_complete, false);
  assert.deepEqual(await rows(), ['other', 's/1', 's/3', 's/4', 's/5'], 'the expired s/2, before the next live key, went');
  const rest = await call('list', { prefix: 's/', cursor: page.cursor, limit: 1 });
  assert.deepEqual(rest.keys, [{ name: 's/3' }]);
  assert.equal(rest.list_complete, true);
  assert.deepEqual(await rows(), ['other', 's/1', 's/3'], 'another prefix is untouched');
});

test('D1Store: more checks than one guard statement binds (49), the failing one in the last; the key ""', async () => {
  const store = await D1Store.open(await mf.getD1Database('DB'), { table: 'guards' });
  const checks = Array.from({ length: 120 }, (_, i) => ({ key: `c${i}`, value: null }));
  await store.put('last', 'there');
  assert.equal(await store.commit({ checks, puts: [{ key: 'y', value: '1' }] }), true);
  assert.equal(await store.commit({ checks: [...checks, { key: 'last', value: null }], puts: [{ key: 'z', value: '1' }] }), false);
  assert.equal(await store.get('z'), null);
  // The guard inserts the key '' with v NULL: an existing '' changes nothing.
  await store.put('', 'empty key');
  assert.equal(await store.commit({ checks: [{ key: '', value: 'other' }], puts: [{ key: 'z', value: '1' }] }), false);
  assert.equal(await store.commit({ checks: [{ key: '', value: 'empty key' }], puts: [{ key: 'z', value: '1' }] }), true);
  assert.deepEqual(await store.getMany(['', 'z']), ['empty key', '1']);
  assert.throws(() => new D1Store(null), TypeError);
  await assert.rejects(D1Store.open(await mf.getD1Database('DB'), { table: 'x; DROP TABLE guards' }), TypeError);
});
