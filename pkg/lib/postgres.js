// PostgreSQL store (store protocol v2) over a `pg` Pool the host gives it:
//   import { PostgresStore } from 'edge-sso/postgres';
//   const store = await PostgresStore.open(new pg.Pool({ connectionString }));
// This module never imports `pg`: it only calls the pool it is given (`pool.query`,
// `pool.connect()` -> client with `query` and `release`), so `edge-sso` itself never needs it.
//
// One table, `(k text primary key collate "C", v text not null, e bigint null)`, e the expiry in
// ms since the epoch (by the store's clock) or null. Expired rows read as absent in every
// method; a listing deletes the expired rows of the range it went through, so `cleanup` (a
// listing of every prefix) empties them.
//
// Consistency: every write (put, delete, putIfAbsent, commit) runs as a SERIALIZABLE
// transaction, retried from the start on a serialization failure (40001) or a deadlock (40P01).
// `commit` reads the live values of the checked keys, compares them, then writes, all in that
// transaction: PostgreSQL's serializable snapshot isolation makes the check and the writes one
// atomic step even for checks expecting absence (rows that do not exist cannot be locked, but
// their absence is covered by predicate locks). A retried commit reads again, so it resolves
// false only when a check really fails on a consistent state, never merely because of a
// conflict. Reads (get, getMany, list) are single statements: each sees one committed snapshot.
// PostgreSQL text cannot hold U+0000: keys and values containing it are refused (TypeError).

import { checkCommit, checkKeys, checksHold } from './store-protocol.js';

const RETRIES = 100;
const RETRYABLE = new Set(['40001', '40P01']);

function checkString(key, value) {
  if (typeof key !== 'string' || (value !== undefined && typeof value !== 'string')) {
    throw new TypeError('store keys and values are strings');
  }
  if (key.includes('\0') || (value !== undefined && value.includes('\0'))) {
    throw new TypeError('PostgresStore: keys and values cannot contain U+0000 (PostgreSQL text cannot hold it)');
  }
}

/** A table name, optionally schema-qualified, quoted for SQL. */
function quoteTable(table) {
  if (typeof table !== 'string' || !/^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*)?$/.test(table)) {
    throw new TypeError(`PostgresStore: table must be a name such as "edge_sso" or "schema.edge_sso", not ${JSON.stringify(table)}`);
  }
  return table.split('.').map((part) => `"${part}"`).join('.');
}

/** A LIKE pattern matching every string that starts with `prefix` (backslash is LIKE's escape). */
const likePrefix = (prefix) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class PostgresStore {
  #pool;
  #t;
  #now;

  /** Use `PostgresStore.open`, which creates the table; the constructor assumes it exists. */
  constructor(pool, { table = 'edge_sso', now } = {}) {
    if (!pool || typeof pool.query !== 'function' || typeof pool.connect !== 'function') {
      throw new TypeError('PostgresStore takes a pg Pool (an object with query and connect)');
    }
    this.#pool = pool;
    this.#t = quoteTable(table);
    this.#now = now ?? (() => Date.now());
  }

  /** Creates the table where missing, then the store: `await PostgresStore.open(pool, { table })`. */
  static async open(pool, { table = 'edge_sso', now } = {}) {
    const store = new PostgresStore(pool, { table, now });
    try {
      await pool.query(`CREATE TABLE IF NOT EXISTS ${store.#t} (k text COLLATE "C" PRIMARY KEY, v text NOT NULL, e bigint NULL)`);
    } catch (e) {
      // Two first opens at once: one creates the table, the other may collide in the catalog
      // (a unique violation, "relation exists", or "type exists" for the table's row type).
      if (!['23505', '42P07', '42710'].includes(e?.code)) throw e;
    }
    return store;
  }

  /** The clock, in whole ms (the expiry column is a bigint). */
  #ms() {
    return Math.floor(this.#now());
  }

  #expiry(opts) {
    return opts && Number.isFinite(opts.expirationTtl) ? Math.ceil(this.#now() + opts.expirationTtl * 1000) : null;
  }

  /**
   * Runs `fn(client)` in a SERIALIZABLE transaction on one pooled connection and commits;
   * on a serialization failure or deadlock, rolls back and runs it again from the start.
   */
  async #serializable(fn) {
    for (let attempt = 1; ; attempt++) {
      const client = await this.#pool.connect();
      let broken;
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const result = await fn(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          broken = rollbackError;
        }
        if (!RETRYABLE.has(e?.code) || attempt >= RETRIES) throw e;
      } finally {
        client.release(broken);
      }
      // Back off a little, at random, so that the transactions that collided do not again.
      await sleep(Math.random() * Math.min(2 ** attempt, 50));
    }
  }

  async get(key) {
    checkString(key);
    const r = await this.#pool.query(`SELECT v FROM ${this.#t} WHERE k = $1 AND (e IS NULL OR e > $2)`, [key, this.#ms()]);
    return r.rows.length ? r.rows[0].v : null;
  }

  async put(key, value, opts) {
    checkString(key, value);
    const e = this.#expiry(opts);
    await this.#serializable((c) => c.query(
      `INSERT INTO ${this.#t} (k, v, e) VALUES ($1, $2, $3) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, e = EXCLUDED.e`,
      [key, value, e],
    ));
  }

  async delete(key) {
    checkString(key);
    await this.#serializable((c) => c.query(`DELETE FROM ${this.#t} WHERE k = $1`, [key]));
  }

  /** Creates the key unless it holds a live value; an expired row is replaced. */
  async putIfAbsent(key, value, opts) {
    checkString(key, value);
    const e = this.#expiry(opts);
    const r = await this.#serializable((c) => c.query(
      `INSERT INTO ${this.#t} AS t (k, v, e) VALUES ($1, $2, $3)
       ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, e = EXCLUDED.e WHERE t.e IS NOT NULL AND t.e <= $4`,
      [key, value, e, this.#ms()],
    ));
    return r.rowCount === 1;
  }

  /** One query for every key; the answer in the keys' order. */
  async getMany(keys) {
    checkKeys(keys);
    for (const k of keys) checkString(k);
    if (keys.length === 0) return [];
    const r = await this.#pool.query(
      `SELECT k, v FROM ${this.#t} WHERE k = ANY($1::text[]) AND (e IS NULL OR e > $2)`,
      [[...new Set(keys)], this.#ms()],
    );
    const found = new Map(r.rows.map((row) => [row.k, row.v]));
    return keys.map((k) => found.get(k) ?? null);
  }

  async commit(op) {
    const { checks, puts, deletes } = checkCommit(op);
    for (const c of checks) checkString(c.key, c.value ?? undefined);
    for (const p of puts) checkString(p.key, p.value);
    for (const k of deletes) checkString(k);
    const checked = [...new Set(checks.map((c) => c.key))];
    // Written in key order: two commits over the same keys lock them in the same order.
    const byKey = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
    const sorted = [...puts].sort((a, b) => byKey(a.key, b.key));
    const putRows = { k: sorted.map((p) => p.key), v: sorted.map((p) => p.value), e: sorted.map((p) => this.#expiry(p)) };
    const deleted = [...deletes].sort(byKey);
    return this.#serializable(async (c) => {
      if (checked.length) {
        const r = await c.query(
          `SELECT k, v FROM ${this.#t} WHERE k = ANY($1::text[]) AND (e IS NULL OR e > $2)`,
          [checked, this.#ms()],
        );
        const found = new Map(r.rows.map((row) => [row.k, row.v]));
        if (!checksHold(checks, (k) => found.get(k))) return false;
      }
      if (puts.length) {
        await c.query(
          `INSERT INTO ${this.#t} (k, v, e) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
           ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v, e = EXCLUDED.e`,
          [putRows.k, putRows.v, putRows.e],
        );
      }
      if (deleted.length) await c.query(`DELETE FROM ${this.#t} WHERE k = ANY($1::text[])`, [deleted]);
      return true;
    });
  }

  /**
   * Live keys with `prefix` after `cursor`, in byte order (COLLATE "C"), at most `limit` (1 to
   * 1000, default 1000). One statement: it also deletes the expired rows of the range the page
   * covers (to the end of the prefix on the last page).
   */
  async list({ prefix = '', cursor, limit = 1000 } = {}) {
    checkString(prefix);
    if (cursor !== undefined && cursor !== null) checkString(cursor);
    const n = Math.floor(Number(limit));
    const max = Number.isFinite(n) ? Math.max(1, Math.min(n, 1000)) : 1000;
    const range = `k LIKE $1 AND k >= $2 AND ($3::text IS NULL OR k > $3)`;
    // The deletion may deadlock with a commit writing the same expired rows (PostgreSQL then
    // cancels one of the two): the listing is run again.
    const query = async (attempt = 1) => {
      try {
        return await this.#pool.query(sql, params);
      } catch (e) {
        if (e?.code !== '40P01' || attempt >= RETRIES) throw e;
        await sleep(Math.random() * Math.min(2 ** attempt, 50));
        return query(attempt + 1);
      }
    };
    const sql =
      `WITH page AS (
         SELECT k FROM ${this.#t} WHERE ${range} AND (e IS NULL OR e > $4) ORDER BY k LIMIT $5
       ), bound AS (
         SELECT max(k) AS hi, count(*) AS n FROM page
       ), gone AS (
         DELETE FROM ${this.#t} WHERE ${range} AND e <= $4
           AND (k <= (SELECT hi FROM bound) OR (SELECT n FROM bound) < $5)
       )
       SELECT k FROM page ORDER BY k`;
    const params = [likePrefix(prefix), prefix, cursor ?? null, this.#ms(), max + 1];
    const r = await query();
    const names = r.rows.map((row) => row.k);
    const more = names.length > max;
    if (more) names.length = max;
    return { keys: names.map((name) => ({ name })), list_complete: !more, cursor: more ? names[names.length - 1] : undefined };
  }
}
