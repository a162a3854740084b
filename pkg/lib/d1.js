// Cloudflare D1 (SQLite at the edge) as an edge-sso store, store protocol v2, natively in SQL.
//
// One table: CREATE TABLE IF NOT EXISTS edge_sso (k TEXT PRIMARY KEY, v TEXT NOT NULL, e INTEGER)
// (e: expiry in ms since the epoch, NULL: none), created by `D1Store.open` or by the migration
// the package ships (migrations/0001_edge_sso.sql, for `wrangler d1 migrations apply`).
//
// D1 is strongly consistent (one primary database) but has no interactive transactions:
// `putIfAbsent` is one conditional upsert, and `commit` is one `db.batch()` (D1 runs a batch as
// one SQLite transaction, rolled back when a statement fails) whose first statements are guards:
//   INSERT INTO t (k, v) SELECT '', NULL WHERE NOT (<every check holds>)
// inserts nothing when the checks hold, and otherwise violates `v NOT NULL`, which aborts the batch
// before any write; that error is the `false` of `commit`. The checks compare live values inside
// the transaction, so a commit is atomic against every other statement on the database.
//
// D1 binds at most 100 parameters a statement: getMany, the guards, the writes of a commit go in
// slices under that. Expired rows read as absent everywhere; a listing deletes the expired rows it
// passes over (D1 has no TTL of its own), which is how `cleanup` (a listing of every prefix) empties them.

import { checkCommit, checkKeys } from './store-protocol.js';

/** Bound parameters a D1 statement takes. */
const MAX_PARAMS = 100;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** The message of SQLite's NOT NULL violation, which only a failing guard can cause. */
const GUARD_FAILED = /NOT NULL constraint failed/i;

/** The SQL that creates the table (the migration ships the same for the default name). */
export const d1Schema = (table = 'edge_sso') =>
  `CREATE TABLE IF NOT EXISTS ${quote(table)} (k TEXT PRIMARY KEY, v TEXT NOT NULL, e INTEGER)`;

function quote(table) {
  if (typeof table !== 'string' || !IDENTIFIER.test(table)) {
    throw new TypeError(`D1Store: the table name must be an SQL identifier (letters, digits, _), not ${JSON.stringify(table)}`);
  }
  return `"${table}"`;
}

function checkString(key, value) {
  if (typeof key !== 'string' || (value !== undefined && typeof value !== 'string')) {
    throw new TypeError('store keys and values are strings');
  }
}

function chunks(items, n) {
  const out = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

/**
 * The least string above every string that starts with `prefix`, in SQLite's BINARY order (the
 * bytes of UTF-8, which is code point order): the prefix with its last code point incremented
 * (dropped where it is U+10FFFF, and the one before incremented). Null: no upper bound.
 */
export function prefixEnd(prefix) {
  const cps = [...prefix].map((c) => c.codePointAt(0));
  while (cps.length) {
    let last = cps.pop();
    if (last < 0x10ffff) {
      last += 1;
      if (last >= 0xd800 && last <= 0xdfff) last = 0xe000;
      cps.push(last);
      return String.fromCodePoint(...cps);
    }
  }
  return null;
}

/**
 * A D1 database binding (`env.DB`) as an edge-sso store: `await D1Store.open(env.DB)`.
 * Strongly consistent; `putIfAbsent` and `commit` are atomic.
 */
export class D1Store {
  #db;
  #t;
  #now;

  /** The table must exist: `D1Store.open` creates it, or apply the shipped migration. */
  constructor(db, { table = 'edge_sso', now } = {}) {
    if (!db || typeof db.prepare !== 'function' || typeof db.batch !== 'function') {
      throw new TypeError('D1Store takes a D1 database binding (env.DB)');
    }
    this.#db = db;
    this.#t = quote(table);
    this.#now = now ?? (() => Date.now());
  }

  /** Creates the table if it is missing, then gives the store. */
  static async open(db, { table = 'edge_sso', now } = {}) {
    const store = new D1Store(db, { table, now });
    await db.prepare(d1Schema(table)).run();
    return store;
  }

  #time() {
    const t = Number(this.#now());
    if (!Number.isFinite(t)) throw new TypeError('D1Store: now() must give a number of ms');
    return Math.floor(t);
  }

  #expiry(opts, now) {
    return opts && Number.isFinite(opts.expirationTtl) ? Math.floor(now + opts.expirationTtl * 1000) : null;
  }

  async get(key) {
    checkString(key);
    const row = await this.#db.prepare(`SELECT v FROM ${this.#t} WHERE k = ?1 AND (e IS NULL OR e > ?2)`)
      .bind(key, this.#time()).first();
    return row ? row.v : null;
  }

  async put(key, value, opts) {
    checkString(key, value);
    await this.#db.prepare(`INSERT INTO ${this.#t} (k, v, e) VALUES (?1, ?2, ?3) ON CONFLICT(k) DO UPDATE SET v = excluded.v, e = excluded.e`)
      .bind(key, value, this.#expiry(opts, this.#time())).run();
  }

  async delete(key) {
    checkString(key);
    await this.#db.prepare(`DELETE FROM ${this.#t} WHERE k = ?1`).bind(key).run();
  }

  /** One conditional upsert: inserts, or replaces an expired row; `meta.changes` tells which happened. */
  async putIfAbsent(key, value, opts) {
    checkString(key, value);
    const now = this.#time();
    const r = await this.#db.prepare(`INSERT INTO ${this.#t} (k, v, e) VALUES (?1, ?2, ?3) ON CONFLICT(k) DO UPDATE SET v = excluded.v, e = excluded.e WHERE ${this.#t}.e IS NOT NULL AND ${this.#t}.e <= ?4`)
      .bind(key, value, this.#expiry(opts, now), now).run();
    return (r.meta?.changes ?? 0) > 0;
  }

  /** One `SELECT ... WHERE k IN (...)` per 99 distinct keys, all in one batch (one snapshot). */
  async getMany(keys) {
    checkKeys(keys);
    const distinct = [...new Set(keys)];
    if (distinct.length === 0) return [];
    const now = this.#time();
    const statements = chunks(distinct, MAX_PARAMS - 1).map((c) => this.#db
      .prepare(`SELECT k, v FROM ${this.#t} WHERE k IN (${c.map((_, i) => `?${i + 2}`).join(', ')}) AND (e IS NULL OR e > ?1)`)
      .bind(now, ...c));
    const results = statements.length === 1 ? [await statements[0].all()] : await this.#db.batch(statements);
    const found = new Map();
    for (const r of results) for (const row of r.results ?? []) found.set(row.k, row.v);
    return keys.map((k) => (found.has(k) ? found.get(k) : null));
  }

  /**
   * One batch, one transaction: the guards (49 checks each), then the puts (33 rows a statement)
   * and the deletes (100 keys a statement). A failing guard aborts the batch: false, nothing written.
   */
  async commit(op) {
    const { checks, puts, deletes } = checkCommit(op);
    const now = this.#time();
    const t = this.#t;
    const statements = [];
    for (const c of chunks(checks, (MAX_PARAMS - 1) >> 1)) {
      const holds = c.map((_, i) => `(SELECT v FROM ${t} WHERE k = ?${2 * i + 2} AND (e IS NULL OR e > ?1)) IS ?${2 * i + 3}`);
      statements.push(this.#db.prepare(`INSERT INTO ${t} (k, v) SELECT '', NULL WHERE NOT (${holds.join(' AND ')})`)
        .bind(now, ...c.flatMap((check) => [check.key, check.value])));
    }
    for (const c of chunks(puts, Math.floor(MAX_PARAMS / 3))) {
      const rows = c.map((_, i) => `(?${3 * i + 1}, ?${3 * i + 2}, ?${3 * i + 3})`);
      statements.push(this.#db.prepare(`INSERT INTO ${t} (k, v, e) VALUES ${rows.join(', ')} ON CONFLICT(k) DO UPDATE SET v = excluded.v, e = excluded.e`)
        .bind(...c.flatMap((p) => [p.key, p.value, this.#expiry(p, now)])));
    }
    for (const c of chunks(deletes, MAX_PARAMS)) {
      statements.push(this.#db.prepare(`DELETE FROM ${t} WHERE k IN (${c.map((_, i) => `?${i + 1}`).join(', ')})`).bind(...c));
    }
    if (statements.length === 0) return true;
    try {
      await this.#db.batch(statements);
      return true;
    } catch (e) {
      // Only a guard can leave v NULL: puts always carry a string.
      if (checks.length && (GUARD_FAILED.test(String(e?.message ?? e)) || GUARD_FAILED.test(String(e?.cause?.message ?? '')))) return false;
      throw e;
    }
  }

  /**
   * Live keys under `prefix` after `cursor`, in key order (SQLite's BINARY collation: UTF-8 bytes),
   * up to `limit`. In the same batch, the expired rows this page passes over are deleted (up to the
   * first live key beyond it), so a listing of every prefix (`cleanup`) empties them, page by page.
   */
  async list({ prefix = '', cursor, limit = 1000 } = {}) {
    if (typeof prefix !== 'string' || (cursor !== undefined && cursor !== null && typeof cursor !== 'string')) {
      throw new TypeError('list takes a string prefix and cursor');
    }
    const max = Math.max(1, Math.min(Number.isFinite(limit) ? Math.floor(limit) : 1000, 1000));
    const now = this.#time();
    const t = this.#t;
    // ?1 prefix, ?2 its end (NULL: none), ?3 cursor (NULL: none), ?4 now, ?5 how many.
    const range = 'k >= ?1 AND (?2 IS NULL OR k < ?2) AND (?3 IS NULL OR k > ?3)';
    const args = [prefix, prefixEnd(prefix), cursor || null, now, max + 1];
    const isLive = '(e IS NULL OR e > ?4)';
    const live = `SELECT k FROM ${t} WHERE ${range} AND ${isLive} ORDER BY k LIMIT ?5`;
    // The first live key beyond this page (NULL: none): the sweep stops there.
    const beyond = `(SELECT k FROM ${t} WHERE ${range} AND ${isLive} ORDER BY k LIMIT 1 OFFSET ?5 - 1)`;
    const sweep = this.#db.prepare(`DELETE FROM ${t} WHERE ${range} AND NOT ${isLive} AND (${beyond} IS NULL OR k < ${beyond})`)
      .bind(...args);
    const page = this.#db.prepare(live).bind(...args);
    const [, r] = await this.#db.batch([sweep, page]);
    const names = (r.results ?? []).map((row) => row.k);
    const more = names.length > max;
    if (more) names.length = max;
    return { keys: names.map((name) => ({ name })), list_complete: !more, cursor: more ? names[names.length - 1] : undefined };
  }
}
