// What is PostgresStore's own: the table, byte order, LIKE's special characters in prefixes,
// expired rows deleted by listings, two pools (two processes) on one table, the package entry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { Sso } from 'edge-sso';
import { PostgresStore } from 'edge-sso/postgres';
import { clock, freshStore, freshTable, pool } from './helpers.mjs';

const names = async (store, prefix, limit) => {
  const out = [];
  let cursor;
  for (;;) {
    const page = await store.list({ prefix, cursor, limit });
    out.push(...page.keys.map((k) => k.name));
    if (page.list_complete) return out;
    cursor = page.cursor;
  }
};

test('open creates the table described (k text collate "C" primary key, v text not null, e bigint), and again is harmless', async () => {
  const table = freshTable();
  await Promise.all([PostgresStore.open(pool, { table }), PostgresStore.open(pool, { table })]);
  const store = await PostgresStore.open(pool, { table });
  await store.put('k', 'v', { expirationTtl: 60 });
  const cols = await pool.query(
    `SELECT column_name, data_type, is_nullable, collation_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position`, [table]);
  assert.deepEqual(cols.rows.map((c) => [c.column_name, c.data_type, c.is_nullable]), [['k', 'text', 'NO'], ['v', 'text', 'NO'], ['e', 'bigint', 'YES']]);
  assert.equal(cols.rows[0].collation_name, 'C');
  const row = (await pool.query(`SELECT v, e FROM ${table}`)).rows[0];
  assert.equal(row.v, 'v');
  assert.ok(Math.abs(Number(row.e) - (Date.now() + 60_000)) < 5_000, 'e is the expiry in ms');
  assert.equal(await (await PostgresStore.open(pool, { table })).get('k'), 'v', 'reopening keeps the data');
});

test('a table name is an identifier (optionally schema-qualified), never SQL', async () => {
  for (const bad of ['x; DROP TABLE y', 'a"b', '', '1abc', 'a.b.c', 5]) {
    await assert.rejects(PostgresStore.open(pool, { table: bad }), TypeError, String(bad));
  }
  await pool.query('CREATE SCHEMA IF NOT EXISTS sso_schema');
  const s = await PostgresStore.open(pool, { table: 'sso_schema.store' });
  await s.put('a', '1');
  assert.equal((await pool.query('SELECT v FROM sso_schema.store')).rows[0].v, '1');
  assert.throws(() => new PostgresStore({}), TypeError);
});

test('list: byte order (UTF-8, as COLLATE "C"), every key including the empty one, whatever the page size', async () => {
  const store = await freshStore();
  const keys = ['', 'B', 'a', 'a/1', 'a/10', 'a/2', 'Z', 'é', 'e', 'ß', '\u{1F511}', '\uFFFD', '~'];
  for (const k of keys) await store.put(k, 'x');
  const bytes = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
  for (const limit of [1, 2, 5, 1000]) assert.deepEqual(await names(store, '', limit), bytes, `limit ${limit}`);
  assert.deepEqual(await names(store, 'a', 2), ['a', 'a/1', 'a/10', 'a/2']);
});

test('list: a prefix with LIKE\'s special characters (% _ \\) is literal', async () => {
  const store = await freshStore();
  for (const k of ['a%b/1', 'axb/1', 'a_b/1', 'ayb/1', 'a\\b/1', 'a\\\\b/1', 'a%', 'a']) await store.put(k, 'x');
  assert.deepEqual(await names(store, 'a%b/'), ['a%b/1']);
  assert.deepEqual(await names(store, 'a_b/'), ['a_b/1']);
  assert.deepEqual(await names(store, 'a\\b/'), ['a\\b/1']);
  assert.deepEqual(await names(store, 'a%'), ['a%', 'a%b/1']);
  assert.equal((await store.list({ prefix: 'a', limit: 'many' })).keys.length, 8, 'a limit that is no number: the default');
});

test('a listing deletes the expired rows it goes through; cleanup empties them', async () => {
  const { now, advance } = clock();
  const table = freshTable();
  const store = await PostgresStore.open(pool, { table, now });
  for (let i = 0; i < 30; i++) await store.put(`x/${String(i).padStart(2, '0')}`, 'v', i % 3 ? { expirationTtl: 60 } : undefined);
  await store.put('y/1', 'v', { expirationTtl: 60 });
  advance(61_000);
  const rows = async (prefix) => Number((await pool.query(`SELECT count(*) FROM ${table} WHERE k LIKE $1`, [`${prefix}%`])).rows[0].count);
  assert.equal(await rows('x/'), 30);
  const first = await store.list({ prefix: 'x/', limit: 3 });
  assert.deepEqual(first.keys.map((k) => k.name), ['x/00', 'x/03', 'x/06']);
  assert.equal(await rows('x/'), 30 - 6, 'the expired rows up to the next live key (x/09) are gone');
  assert.equal((await names(store, 'x/', 4)).length, 10);
  assert.equal(await rows('x/'), 10, 'the whole prefix, once listed to the end');
  assert.equal(await rows('y/'), 1, 'other prefixes are not touched');
  // A write racing the deletion of its key's expired row is not lost.
  await Promise.all([store.list({ prefix: 'y/' }), store.putIfAbsent('y/1', 'new')]);
  assert.equal(await store.get('y/1'), 'new');
});

test('U+0000 cannot be stored in PostgreSQL text: refused with a TypeError', async () => {
  const store = await freshStore();
  await assert.rejects(store.put('a\0b', 'v'), TypeError);
  await assert.rejects(store.put('k', 'v\0'), TypeError);
  await assert.rejects(store.commit({ puts: [{ key: 'k', value: '\0' }] }), TypeError);
  await assert.rejects(store.getMany(['\0']), TypeError);
  assert.equal(await store.get('k'), null);
});

test('two pools (two processes) on one table: putIfAbsent and commit stay atomic across them', async () => {
  const table = freshTable();
  const other = new pg.Pool({ max: 10 });
  try {
    const a = await PostgresStore.open(pool, { table });
    const b = await PostgresStore.open(other, { table });
    const stores = [a, b];
    const created = await Promise.all(Array.from({ length: 40 }, (_, i) => stores[i % 2].putIfAbsent('name', String(i))));
    assert.equal(created.filter(Boolean).length, 1);
    const increment = async (s) => {
      for (;;) {
        const old = await s.get('n');
        if (await s.commit({ checks: [{ key: 'n', value: old }], puts: [{ key: 'n', value: String(Number(old ?? 0) + 1) }] })) return;
      }
    };
    await Promise.all(Array.from({ length: 60 }, (_, i) => increment(stores[i % 2])));
    assert.equal(await b.get('n'), '60');
    // Write skew: two commits each check the other's key absent and create their own; at most
    // one may succeed (serializable, not only snapshot isolation).
    for (let round = 0; round < 20; round++) {
      const [x, y] = await Promise.all([
        a.commit({ checks: [{ key: `ws/${round}/b`, value: null }], puts: [{ key: `ws/${round}/a`, value: '1' }] }),
        b.commit({ checks: [{ key: `ws/${round}/a`, value: null }], puts: [{ key: `ws/${round}/b`, value: '1' }] }),
      ]);
      assert.ok(!(x && y), `round ${round}: both commits held`);
      assert.ok(x || y, `round ${round}: a retried commit answers on the state it reads again`);
    }
  } finally {
    await other.end();
  }
});

test('an Sso on PostgresStore: the strict profile accepts it (atomic commit); a user logs in', async () => {
  const store = await freshStore();
  const sso = new Sso({ store, secretKey: Buffer.alloc(32, 9).toString('base64'), config: { profile: 'strict', argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } } });
  await sso.user.createSuperUser(null, { username: 'root', password: 'a postgres passphrase' });
  const { ust } = await sso.user.login(null, 'root', 'a postgres passphrase', 'CRM', '10.0.0.1');
  assert.equal((await sso.user.getCurrentUser(null, ust, 'CRM', '10.0.0.1')).username, 'root');
  await sso.cleanup();
});

test('the package: edge-sso/postgres is its own entry, and nothing in the package imports pg', () => {
  const require = createRequire(import.meta.url);
  const root = dirname(require.resolve('edge-sso/package.json'));
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.equal(manifest.exports['./postgres'].default, './lib/postgres.js');
  assert.deepEqual(manifest.peerDependenciesMeta.pg, { optional: true });
  const source = readFileSync(join(root, 'lib', 'postgres.js'), 'utf8');
  assert.doesNotMatch(source, /from\s+['"]pg['"]|import\(\s*['"]pg['"]|require\(\s*['"]pg['"]/);
  // No static import of pg anywhere (the command line loads it on demand, for postgres: stores).
  for (const dir of ['lib', 'entrypoints', 'bin']) {
    for (const f of require('node:fs').readdirSync(join(root, dir), { recursive: true })) {
      if (!f.endsWith('.js') && !f.endsWith('.mjs')) continue;
      assert.doesNotMatch(readFileSync(join(root, dir, f), 'utf8'), /from\s+['"]pg['"]/, `${dir}/${f}`);
    }
  }
});
