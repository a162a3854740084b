// Store adapters: each gives a platform's storage the Store shape edge-sso expects, store
// protocol v2: get / put with expirationTtl / delete / list with prefix and cursor /
// putIfAbsent, plus
//   getMany(keys)  -> the values in the keys' order, null where absent or expired;
//   commit({ checks, puts, deletes }) -> true when every check `{ key, value }` held (the key's
//     live value is exactly `value`, null: absent or expired) and every put
//     `{ key, value, expirationTtl? }` and delete was applied, as one atomic step; false, having
//     written nothing, when a check failed. Bad arguments reject with a TypeError.
// Each adapter does both natively: a Durable Object storage transaction, a Deno KV atomic
// operation checked on versionstamps, one IndexedDB readwrite transaction.
// A Cloudflare KV namespace needs no adapter: pass `env.MY_KV` as it is (it has neither
// putIfAbsent nor getMany / commit, being eventually consistent).
//
// Values are wrapped as { v, e } (e: expiry in ms, or null) where the backend has no TTL of
// its own, and expired entries read as absent, in every method.

import { checkCommit, checkKeys, checksHold } from './store-protocol.js';

const wrap = (value, opts, now) => ({
  v: value,
  e: opts && Number.isFinite(opts.expirationTtl) ? now() + opts.expirationTtl * 1000 : null,
});
const live = (entry, now) => (entry && (entry.e === null || entry.e > now()) ? entry : undefined);

/** `items` in slices of `n`. */
function chunks(items, n) {
  const out = [];
  for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
  return out;
}

function checkString(key, value) {
  if (typeof key !== 'string' || (value !== undefined && typeof value !== 'string')) {
    throw new TypeError('store keys and values are strings');
  }
}

/**
 * One page of live keys for a backend that lists in key order but keeps expired entries:
 * `fetchPage(after, n)` gives up to `n` `[name, entry]` pairs after `after` (all of them when
 * fewer come back), `entry` null where the key is not one of ours. Pages are fetched until
 * `max` live keys or the end; `onExpired(names)` gets each page's expired keys.
 */
async function livePage(max, cursor, now, fetchPage, onExpired) {
  const names = [];
  let after = cursor;
  let more = false;
  for (let done = false; !done && !more;) {
    const page = await fetchPage(after, max + 1);
    done = page.length < max + 1;
    const expired = [];
    for (const [name, entry] of page) {
      if (entry && !live(entry, now)) {
        expired.push(name);
      } else if (entry && names.length === max) {
        more = true;
        break;
      } else if (entry) {
        names.push(name);
      }
      after = name;
    }
    if (onExpired && expired.length) await onExpired(expired);
  }
  return { keys: names.map((name) => ({ name })), list_complete: !more, cursor: more ? names[names.length - 1] : undefined };
}

/**
 * Durable Object storage (`state.storage`): strongly consistent, and one object runs one
 * request at a time, so `putIfAbsent` is atomic (no other I/O between its read and write).
 * `commit` runs in `storage.transaction()` where the storage has it (sequentially, in the
 * object's single thread, where not). Storage calls take at most 128 keys: larger reads and
 * writes go in slices of 128, inside the one transaction.
 */
export class DurableObjectStore {
  #s;
  #now;

  constructor(storage, { now } = {}) {
    this.#s = storage;
    this.#now = now ?? (() => Date.now());
  }

  async get(key) {
    checkString(key);
    return live(await this.#s.get(key), this.#now)?.v ?? null;
  }

  async put(key, value, opts) {
    checkString(key, value);
    await this.#s.put(key, wrap(value, opts, this.#now));
  }

  async delete(key) {
    checkString(key);
    await this.#s.delete(key);
  }

  async putIfAbsent(key, value, opts) {
    checkString(key, value);
    if (live(await this.#s.get(key), this.#now)) return false;
    await this.#s.put(key, wrap(value, opts, this.#now));
    return true;
  }

  /** Raw entries of distinct `keys` from `storage` (or a transaction), 128 keys a call. */
  static async #read(storage, keys) {
    const found = new Map();
    for (const part of await Promise.all(chunks(keys, 128).map((c) => storage.get(c)))) {
      for (const [k, entry] of part) found.set(k, entry);
    }
    return found;
  }

  async getMany(keys) {
    checkKeys(keys);
    const found = await DurableObjectStore.#read(this.#s, [...new Set(keys)]);
    return keys.map((k) => live(found.get(k), this.#now)?.v ?? null);
  }

  async commit(op) {
    const { checks, puts, deletes } = checkCommit(op);
    const apply = async (s) => {
      const found = await DurableObjectStore.#read(s, [...new Set(checks.map((c) => c.key))]);
      if (!checksHold(checks, (k) => live(found.get(k), this.#now)?.v)) return false;
      // Object.fromEntries: a key such as "__proto__" stays an own property.
      for (const c of chunks(puts, 128)) await s.put(Object.fromEntries(c.map((p) => [p.key, wrap(p.value, p, this.#now)])));
      for (const c of chunks(deletes, 128)) await s.delete(c);
      return true;
    };
    return typeof this.#s.transaction === 'function' ? this.#s.transaction((txn) => apply(txn)) : apply(this.#s);
  }

  /**
   * Pages through the backend until `limit` live keys or the end. Durable Object storage has no
   * TTL of its own: the expired entries met on the way are deleted, which is how `cleanup`
   * (a listing of every prefix) empties it.
   */
  async list({ prefix = '', cursor, limit = 1000 } = {}) {
    const max = Math.max(1, Math.min(limit, 1000));
    const fetchPage = async (after, n) => {
      const opts = { prefix, limit: n };
      if (after) opts.startAfter = after;
      return [...(await this.#s.list(opts))];
    };
    // Page by page (a long backlog goes in steps, not all at the end); at most 128 keys a call.
    const remove = async (names) => {
      for (let i = 0; i < names.length; i += 128) await this.#s.delete(names.slice(i, i + 128));
    };
    return livePage(max, cursor, this.#now, fetchPage, remove);
  }
}

/**
 * Deno KV: strongly consistent; `putIfAbsent` is an atomic check-and-set on the key's
 * versionstamp. `commit` reads the checked keys, compares their live values, then commits one
 * atomic operation that checks each of those keys still has the versionstamp read (a key
 * changed in between gives false, as a failed check does). Keys are stored as `[prefix, key]`.
 * Deno KV's limits apply to one commit: 100 checked keys, 1000 puts and deletes, 800 KiB of
 * keys and values in all.
 */
export class DenoKvStore {
  #kv;
  #root;
  #now;

  constructor(kv, { root = 'edge-sso', now } = {}) {
    this.#kv = kv;
    this.#root = root;
    this.#now = now ?? (() => Date.now());
  }

  async get(key) {
    checkString(key);
    const r = await this.#kv.get([this.#root, key]);
    return live(r.value, this.#now)?.v ?? null;
  }

  #options(opts) {
    return opts && Number.isFinite(opts.expirationTtl) ? { expireIn: opts.expirationTtl * 1000 } : undefined;
  }

  async put(key, value, opts) {
    checkString(key, value);
    await this.#kv.set([this.#root, key], wrap(value, opts, this.#now), this.#options(opts));
  }

  async delete(key) {
    checkString(key);
    await this.#kv.delete([this.#root, key]);
  }

  /** The entries of distinct `keys`, in their order: Deno KV reads 10 keys a call, in parallel here. */
  async #read(keys) {
    const parts = await Promise.all(chunks(keys, 10).map((c) => this.#kv.getMany(c.map((k) => [this.#root, k]))));
    return parts.flat();
  }

  async getMany(keys) {
    checkKeys(keys);
    const distinct = [...new Set(keys)];
    const entries = await this.#read(distinct);
    const found = new Map(distinct.map((k, i) => [k, entries[i].value]));
    return keys.map((k) => live(found.get(k), this.#now)?.v ?? null);
  }

  async commit(op) {
    const { checks, puts, deletes } = checkCommit(op);
    const checked = [...new Set(checks.map((c) => c.key))];
    if (checked.length > 100 || puts.length + deletes.length > 1000) {
      throw new RangeError('DenoKvStore: a commit takes at most 100 checked keys and 1000 puts and deletes (Deno KV\'s limits)');
    }
    const entries = await this.#read(checked);
    const found = new Map(checked.map((k, i) => [k, entries[i].value]));
    if (!checksHold(checks, (k) => live(found.get(k), this.#now)?.v)) return false;
    const atomic = this.#kv.atomic();
    // The versionstamp read (null: absent): a key changed since fails the whole operation.
    for (const e of entries) atomic.check({ key: e.key, versionstamp: e.versionstamp });
    for (const p of puts) atomic.set([this.#root, p.key], wrap(p.value, p, this.#now), this.#options(p));
    for (const k of deletes) atomic.delete([this.#root, k]);
    try {
      return (await atomic.commit()).ok;
    } catch (e) {
      // Deno KV refuses an operation over its size limits with a TypeError: not a bad argument.
      if (/too large|too many/i.test(String(e?.message))) throw new RangeError(`DenoKvStore: ${e.message} (Deno KV's limit for one atomic operation)`, { cause: e });
      throw e;
    }
  }

  async putIfAbsent(key, value, opts) {
    checkString(key, value);
    const k = [this.#root, key];
    const current = await this.#kv.get(k);
    // An expired entry the backend has not collected yet may be replaced, atomically.
    if (live(current.value, this.#now)) return false;
    const r = await this.#kv.atomic().check(current).set(k, wrap(value, opts, this.#now), this.#options(opts)).commit();
    return r.ok;
  }

  /** Pages through the backend until `limit` live keys or the end (Deno KV removes expired keys itself, in time). */
  async list({ prefix = '', cursor, limit = 1000 } = {}) {
    const max = Math.max(1, Math.min(limit, 1000));
    const fetchPage = async (after, n) => {
      // Deno KV lists by key parts; a string prefix of the second part is a range.
      // Deno KV orders UTF-8 bytes: U+10FFFF is the highest code point.
      const selector = { start: [this.#root, after ? `${after}\0` : prefix], end: [this.#root, `${prefix}\u{10ffff}`] };
      const page = [];
      for await (const entry of this.#kv.list(selector, { limit: n })) {
        const name = entry.key[1];
        page.push([name, typeof name === 'string' && name.startsWith(prefix) ? entry.value : null]);
      }
      return page;
    };
    return livePage(max, cursor, this.#now, fetchPage);
  }
}

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Resolves with `result()` when `tx` completes; rejects when it fails or aborts. */
function completion(tx, result) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve(result());
    tx.onerror = (e) => reject(tx.error ?? e?.target?.error ?? new Error('transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
  });
}

/**
 * A browser's IndexedDB: one object store of `{ v, e }` records under their keys.
 * `putIfAbsent` and `commit` run their reads and writes in one readwrite transaction, which
 * IndexedDB serialises; `getMany` is one readonly transaction.
 */
export class IndexedDbStore {
  #db;
  #store;
  #now;

  constructor(db, { storeName = 'edge-sso', now } = {}) {
    this.#db = db;
    this.#store = storeName;
    this.#now = now ?? (() => Date.now());
  }

  /**
   * Opens (and creates) the database: `await IndexedDbStore.open('my-app')`. One database holds
   * one store: adding another to a database in use would need a version upgrade, which closes
   * every open connection to it. Another `storeName` for an existing database is refused here,
   * clearly, rather than at the first read.
   */
  static async open(name = 'edge-sso', { storeName = 'edge-sso', now, indexedDB = globalThis.indexedDB } = {}) {
    const req = indexedDB.open(name);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(storeName)) req.result.createObjectStore(storeName);
    };
    const db = await request(req);
    if (!db.objectStoreNames.contains(storeName)) {
      db.close();
      throw new Error(`IndexedDB database "${name}" has no store "${storeName}": give each store name its own database`);
    }
    return new IndexedDbStore(db, { storeName, now });
  }

  #tx(mode) {
    return this.#db.transaction(this.#store, mode).objectStore(this.#store);
  }

  async get(key) {
    checkString(key);
    return live(await request(this.#tx('readonly').get(key)), this.#now)?.v ?? null;
  }

  async put(key, value, opts) {
    checkString(key, value);
    await request(this.#tx('readwrite').put(wrap(value, opts, this.#now), key));
  }

  async delete(key) {
    checkString(key);
    await request(this.#tx('readwrite').delete(key));
  }

  putIfAbsent(key, value, opts) {
    checkString(key, value);
    return new Promise((resolve, reject) => {
      const tx = this.#db.transaction(this.#store, 'readwrite');
      const store = tx.objectStore(this.#store);
      let created = false;
      const read = store.get(key);
      read.onsuccess = () => {
        if (live(read.result, this.#now)) return;
        store.put(wrap(value, opts, this.#now), key);
        created = true;
      };
      tx.oncomplete = () => resolve(created);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
    });
  }

  async getMany(keys) {
    checkKeys(keys);
    if (keys.length === 0) return [];
    const tx = this.#db.transaction(this.#store, 'readonly');
    const store = tx.objectStore(this.#store);
    const values = keys.map(() => null);
    keys.forEach((k, i) => {
      const read = store.get(k);
      read.onsuccess = () => { values[i] = live(read.result, this.#now)?.v ?? null; };
    });
    return completion(tx, () => values);
  }

  /**
   * Reads every checked key, and once all are read (requests complete in order), compares and
   * writes in the same transaction; nothing is written when a check fails.
   */
  async commit(op) {
    const { checks, puts, deletes } = checkCommit(op);
    const tx = this.#db.transaction(this.#store, 'readwrite');
    const store = tx.objectStore(this.#store);
    let applied = false;
    const write = () => {
      for (const p of puts) store.put(wrap(p.value, p, this.#now), p.key);
      for (const k of deletes) store.delete(k);
      applied = true;
    };
    const checked = [...new Set(checks.map((c) => c.key))];
    const found = new Map();
    let pending = checked.length;
    if (pending === 0) write();
    for (const k of checked) {
      const read = store.get(k);
      read.onsuccess = () => {
        found.set(k, live(read.result, this.#now)?.v ?? null);
        if (--pending === 0 && checksHold(checks, (key) => found.get(key))) write();
      };
    }
    return completion(tx, () => applied);
  }

  /** Live keys in order; the expired records the listing passes are deleted (no TTL in IndexedDB). */
  async list({ prefix = '', cursor, limit = 1000 } = {}) {
    const max = Math.max(1, Math.min(limit, 1000));
    // IndexedDB compares UTF-16 code units: \uffff is the highest.
    const fetchPage = async (after, n) => {
      const from = after && after >= prefix ? after : prefix;
      const range = IDBKeyRange.bound(from, `${prefix}\uffff`, Boolean(after && after >= prefix), false);
      const tx = this.#db.transaction(this.#store, 'readonly');
      const store = tx.objectStore(this.#store);
      const [names, entries] = await Promise.all([request(store.getAllKeys(range, n)), request(store.getAll(range, n))]);
      return names.map((name, i) => [name, entries[i]]);
    };
    const remove = async (names) => {
      const tx = this.#tx('readwrite');
      for (const name of names) tx.delete(name);
      await request(tx.count());
    };
    return livePage(max, cursor, this.#now, fetchPage, remove);
  }
}
