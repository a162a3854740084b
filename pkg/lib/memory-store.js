import { checkCommit, checkKeys, checksHold } from './store-protocol.js';

/**
 * An in-memory store with the shape of a Cloudflare KV namespace plus store protocol v2: an
 * atomic `putIfAbsent`, `getMany(keys)` (values in the keys' order, null where absent or
 * expired) and an atomic `commit({ checks, puts, deletes })` (every check compares a key's live
 * value; all writes or none). Methods return Promises, as real stores do, so concurrent calls
 * interleave; the atomic ones check and write in one synchronous step.
 */
export class MemoryStore {
  #entries = new Map(); // key -> { value, expiresAt (ms) | null }
  #sorted = null; // the keys in order, rebuilt after a write: list() is a binary search
  #now;

  constructor({ now } = {}) {
    this.#now = typeof now === 'function' ? now : () => Date.now();
  }

  #live(key) {
    const e = this.#entries.get(key);
    if (e && e.expiresAt !== null && e.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      this.#sorted = null;
      return undefined;
    }
    return e;
  }

  #set(key, value, opts) {
    if (typeof key !== 'string' || typeof value !== 'string') {
      throw new TypeError('MemoryStore keys and values are strings');
    }
    const ttl = opts && Number.isFinite(opts.expirationTtl) ? opts.expirationTtl : null;
    if (!this.#entries.has(key)) this.#sorted = null;
    this.#entries.set(key, { value, expiresAt: ttl === null ? null : this.#now() + ttl * 1000 });
  }

  async get(key) {
    return this.#live(key)?.value ?? null;
  }

  async put(key, value, opts) {
    this.#set(key, value, opts);
  }

  async delete(key) {
    if (this.#entries.delete(key)) this.#sorted = null;
  }

  /** Atomic: checks and writes in one step, with no await in between. */
  async putIfAbsent(key, value, opts) {
    if (this.#live(key)) return false;
    this.#set(key, value, opts);
    return true;
  }

  async getMany(keys) {
    return checkKeys(keys).map((k) => this.#live(k)?.value ?? null);
  }

  /**
   * Atomic: every check against the live values, then every put and delete, in one synchronous
   * step (no await in between). Resolves false, having written nothing, when a check fails.
   */
  async commit(op) {
    const { checks, puts, deletes } = checkCommit(op);
    if (!checksHold(checks, (k) => this.#live(k)?.value)) return false;
    for (const p of puts) this.#set(p.key, p.value, p);
    for (const k of deletes) if (this.#entries.delete(k)) this.#sorted = null;
    return true;
  }

  async list({ prefix = '', cursor, limit = 1000 } = {}) {
    this.#sorted ??= [...this.#entries.keys()].sort();
    const keys = this.#sorted;
    const from = cursor !== undefined && cursor > prefix ? cursor : prefix;
    // First index whose key is > cursor (or >= prefix).
    let lo = 0;
    let hi = keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (keys[mid] < from || (cursor !== undefined && keys[mid] === cursor)) lo = mid + 1;
      else hi = mid;
    }
    const page = [];
    // A limit that is not a number falls back to the default: never an empty page that
    // claims more results (a caller paging on would loop forever).
    const n = Math.floor(Number(limit));
    const max = Number.isFinite(n) ? Math.max(1, n) : 1000;
    let i = lo;
    for (; i < keys.length && keys[i].startsWith(prefix) && page.length < max; i++) {
      if (this.#live(keys[i])) page.push(keys[i]);
    }
    this.#sorted ??= keys; // #live may have expired entries; the order is still right
    const complete = !(i < keys.length && keys[i].startsWith(prefix));
    return { keys: page.map((name) => ({ name })), list_complete: complete, cursor: complete ? undefined : page[page.length - 1] };
  }

  /** Number of live entries (handy in tests). */
  get size() {
    return [...this.#entries.keys()].filter((k) => this.#live(k)).length;
  }

  /** Every live entry, for inspection. */
  entries() {
    return [...this.#entries.keys()].filter((k) => this.#live(k)).map((k) => [k, this.#entries.get(k).value]);
  }
}
