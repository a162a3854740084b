// Store adapters: each gives a platform's storage the Store shape edge-sso expects
// (get / put with expirationTtl / delete / list with prefix and cursor / putIfAbsent).
// A Cloudflare KV namespace needs no adapter: pass `env.MY_KV` as it is.
//
// Values are wrapped as { v, e } (e: expiry in ms, or null) where the backend has no TTL of
// its own, and expired entries read as absent.

const wrap = (value, opts, now) => ({
  v: value,
  e: opts && Number.isFinite(opts.expirationTtl) ? now() + opts.expirationTtl * 1000 : null,
});
const live = (entry, now) => (entry && (entry.e === null || entry.e > now()) ? entry : undefined);

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
 * versionstamp. Keys are stored as `[prefix, key]`.
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

/**
 * A browser's IndexedDB: one object store of `{ k, v, e }` records. `putIfAbsent` runs its read
 * and write in one readwrite transaction, which IndexedDB serialises.
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

  /** Live keys in order; the expired records the cursor passes are deleted (no TTL in IndexedDB). */
  list({ prefix = '', cursor, limit = 1000 } = {}) {
    const max = Math.max(1, Math.min(limit, 1000));
    const lower = cursor && cursor >= prefix ? cursor : prefix;
    // IndexedDB compares UTF-16 code units: \uffff is the highest.
    const range = IDBKeyRange.bound(lower, `${prefix}\uffff`, Boolean(cursor && cursor >= prefix), false);
    return new Promise((resolve, reject) => {
      const names = [];
      const tx = this.#db.transaction(this.#store, 'readwrite');
      let result;
      tx.oncomplete = () => resolve(result);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error ?? new Error('transaction aborted'));
      const req = tx.objectStore(this.#store).openCursor(range);
      req.onsuccess = () => {
        const c = req.result;
        if (!c) {
          result = { keys: names.map((name) => ({ name })), list_complete: true, cursor: undefined };
          return;
        }
        if (!live(c.value, this.#now)) {
          c.delete();
        } else if (names.length === max) {
          result = { keys: names.map((name) => ({ name })), list_complete: false, cursor: names[names.length - 1] };
          return;
        } else {
          names.push(c.key);
        }
        c.continue();
      };
    });
  }
}
