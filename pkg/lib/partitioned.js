// Partitioned Durable Objects: edge-sso's store spread over many objects, strongly consistent
// and horizontally scalable at once.
//
// - The core runs in the stateless worker (hashing and sealing spread over every isolate);
//   `PartitionedDurableObjectStore` is its store there, and `StoreShard` is the Durable Object
//   class behind it.
// - Keys are routed to shards so that what one user owns lives together: the user record, its
//   sessions and their index, attributes, reset tokens and intent key go to the shard of the
//   user id (so a session check or a renew is one shard), and
//   an email's links to the shard of the email digest; global names (username claims, confirm
//   and reset tokens, throttle counters) spread by their own key; the search index
//   lives in one shard (it is listed by prefix in order).
// - A commit that touches one shard runs there in one storage transaction. A commit that spans
//   shards runs two-phase: each shard checks its part and locks its keys (prepare), the first
//   shard records the decision, then each shard applies or drops its part (finish). A lock
//   left by a worker that died mid-way expires (`lockMs`), and the shard that meets it asks
//   the deciding shard for the outcome, which is "abort" unless "commit" was recorded first
//   (presumed abort). Readers see the last committed value of a locked key.
//
// Messages between the worker and the shards are JSON over the object's fetch (no RPC class
// needed, so any runtime's Durable Object class can be this one).

import { checkCommit, checkKeys } from './store-protocol.js';

const INTERNAL = '\u0000';
const LOCK = `${INTERNAL}lock/`;
const TX = `${INTERNAL}tx/`;
const DECISION = `${INTERNAL}decision/`;

const wrap = (value, opts, now) => ({ v: value, e: opts && Number.isFinite(opts.expirationTtl) ? now + opts.expirationTtl * 1000 : null });
const live = (entry, now) => (entry && (entry.e === null || entry.e > now) ? entry : undefined);

/** FNV-1a, 32 bits: a stable spread of routing keys over shards. */
function hash(s) {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const OWNER = /^sso\/(?:user|user-intent|user-login|user-session|user-prt|attr|session)\/([^/]+)(\/|$)/;
const EMAIL = /^sso\/email\/([^/]+)\//;

/**
 * The shard-deciding part of `s`, a whole key or (`whole` false) a listing prefix; null when
 * a prefix's keys spread over shards. A prefix names one owner only up to its closing `/`.
 */
function route(s, whole) {
  const owner = OWNER.exec(s);
  if (owner && (whole || owner[2] === '/')) return `user:${owner[1]}`;
  const email = EMAIL.exec(s);
  if (email) return `email:${email[1]}`;
  if (s.startsWith('sso/idx/')) return 'index';
  return whole ? s : null;
}

/** The part of a key that decides its shard (see the header). */
export function routingKey(key) {
  return route(key, true);
}

/** The single routing key every key under `prefix` shares, or null when they spread. */
function prefixRoute(prefix) {
  return route(prefix, false);
}

function checkKey(key) {
  if (typeof key !== 'string') throw new TypeError('store keys are strings');
  if (key.startsWith(INTERNAL)) throw new TypeError('store keys may not start with U+0000');
}

/**
 * The store the core uses in the worker: routes each call to its shard, fans listings out
 * where a prefix spans shards, and commits across shards in two phases.
 */
export class PartitionedDurableObjectStore {
  #ns;
  #shards;
  #lockMs;
  #fail;

  /**
   * @param namespace the Durable Object namespace binding of `StoreShard` (e.g. `env.SSO_SHARDS`)
   * @param options `shards`: how many objects (fixed for a deployment: changing it moves keys);
   *        `lockMs`: how long a cross-shard commit may hold its keys before others may undo it;
   *        `name`: a prefix for the objects' names (several stores in one namespace)
   */
  constructor(namespace, { shards = 16, lockMs = 10_000, name = 'sso', faultAfter } = {}) {
    if (!namespace || typeof namespace.idFromName !== 'function') throw new TypeError('PartitionedDurableObjectStore needs a Durable Object namespace binding');
    if (!Number.isInteger(shards) || shards < 1 || shards > 1024) throw new RangeError('shards must be an integer from 1 to 1024');
    this.#ns = namespace;
    this.#shards = shards;
    this.#lockMs = lockMs;
    this.name = name;
    // Tests: throw after this many cross-shard messages (a worker dying mid-commit).
    this.#fail = Number.isInteger(faultAfter) ? { left: faultAfter } : null;
  }

  shardOf(key) {
    return hash(routingKey(key)) % this.#shards;
  }

  // A stub per call: a worker keeps one store for its isolate, and a stub made while serving
  // one request may not do I/O for another.
  #stub(i) {
    return this.#ns.get(this.#ns.idFromName(`${this.name}-shard-${i}`));
  }

  async #call(i, op, args, faultable = false) {
    if (faultable && this.#fail && this.#fail.left-- <= 0) throw new Error('injected failure between shards');
    const r = await this.#stub(i).fetch('https://shard/', {
      method: 'POST',
      body: JSON.stringify({ op, args, ns: this.name, shards: this.#shards }),
    });
    const out = await r.json();
    if (!out.ok) throw new Error(out.error ?? 'the shard failed');
    return out.value;
  }

  get(key) {
    checkKey(key);
    return this.#call(this.shardOf(key), 'get', [key]);
  }

  async getMany(keys) {
    checkKeys(keys).forEach(checkKey);
    const byShard = new Map();
    keys.forEach((k, i) => {
      const s = this.shardOf(k);
      if (!byShard.has(s)) byShard.set(s, []);
      byShard.get(s).push(i);
    });
    const out = new Array(keys.length).fill(null);
    await Promise.all([...byShard].map(async ([s, idx]) => {
      const values = await this.#call(s, 'getMany', [idx.map((i) => keys[i])]);
      idx.forEach((i, j) => { out[i] = values[j]; });
    }));
    return out;
  }

  put(key, value, opts) {
    checkKey(key);
    return this.#call(this.shardOf(key), 'put', [key, value, opts ?? {}]);
  }

  delete(key) {
    checkKey(key);
    return this.#call(this.shardOf(key), 'delete', [key]);
  }

  putIfAbsent(key, value, opts) {
    checkKey(key);
    return this.#call(this.shardOf(key), 'putIfAbsent', [key, value, opts ?? {}]);
  }

  /** One shard where the prefix allows; otherwise every shard, merged in key order. */
  async list({ prefix = '', cursor, limit = 1000 } = {}) {
    const max = Math.max(1, Math.min(Number.isFinite(limit) ? Math.floor(limit) : 1000, 1000));
    const route = prefixRoute(prefix);
    if (route !== null) return this.#call(hash(route) % this.#shards, 'list', [{ prefix, cursor, limit: max }]);
    const pages = await Promise.all(Array.from({ length: this.#shards }, (_, i) => this.#call(i, 'list', [{ prefix, cursor, limit: max }])));
    // Each shard gave its first `max` keys after the cursor: the first `max` of their union
    // are the next page, and the page is complete only if no shard had more.
    const all = pages.flatMap((p) => p.keys.map((k) => k.name)).sort();
    const names = all.slice(0, max);
    const more = all.length > max || pages.some((p) => !p.list_complete);
    return { keys: names.map((name) => ({ name })), list_complete: !more, cursor: more ? names[names.length - 1] : undefined };
  }

  async commit(op) {
    const { checks, puts, deletes } = checkCommit(op);
    const parts = new Map();
    const part = (key) => {
      checkKey(key);
      const s = this.shardOf(key);
      if (!parts.has(s)) parts.set(s, { checks: [], puts: [], deletes: [] });
      return parts.get(s);
    };
    for (const c of checks) part(c.key).checks.push({ key: c.key, value: c.value ?? null });
    for (const p of puts) part(p.key).puts.push(p);
    for (const d of deletes) part(d).deletes.push(d);
    const shards = [...parts.keys()].sort((a, b) => a - b);
    if (shards.length === 0) return true;
    if (shards.length === 1) return this.#call(shards[0], 'commit', [parts.get(shards[0])]);
    // Two phases; the lowest shard decides.
    const tx = `${Date.now().toString(36)}-${crypto.getRandomValues(new Uint32Array(4)).join('-')}`;
    const coordinator = shards[0];
    const votes = await Promise.allSettled(shards.map((s) => this.#call(s, 'prepare', [tx, parts.get(s), coordinator, this.#lockMs], true)));
    const yes = votes.every((v) => v.status === 'fulfilled' && v.value === true);
    const failure = votes.find((v) => v.status === 'rejected');
    const decision = await this.#call(coordinator, 'decide', [tx, yes ? 'commit' : 'abort'], true);
    await Promise.all(shards.map((s) => this.#call(s, 'finish', [tx, decision], true)));
    if (failure && decision !== 'commit') throw failure.reason;
    return decision === 'commit';
  }
}

/**
 * The Durable Object behind `PartitionedDurableObjectStore`: one partition, with store v2
 * inside itself (one storage transaction per commit) and its part of cross-shard commits.
 * Export it from the worker and bind it (`[[durable_objects.bindings]]`, class `StoreShard`
 * or a subclass); `env` must hold the same namespace under `options.binding` (default
 * `SSO_SHARDS`) so that a shard can ask another for a decision.
 */
export class StoreShard {
  #state;
  #storage;
  #env;
  #offset = 0;
  #binding;

  constructor(state, env, { binding = 'SSO_SHARDS' } = {}) {
    this.#state = state;
    this.#storage = state.storage;
    this.#env = env;
    this.#binding = binding;
  }

  #now() {
    return Date.now() + this.#offset;
  }

  async fetch(request) {
    let msg;
    try {
      msg = await request.json();
    } catch {
      return Response.json({ ok: false, error: 'not a shard message' }, { status: 400 });
    }
    try {
      const value = await this.#handle(msg);
      return Response.json({ ok: true, value: value ?? null });
    } catch (e) {
      return Response.json({ ok: false, error: String(e?.message ?? e) });
    }
  }

  #ns;
  #shards;

  async #handle({ op, args = [], ns, shards }) {
    if (ns) this.#ns = ns;
    if (shards) this.#shards = shards;
    switch (op) {
      case 'get': return (await this.#values([args[0]]))[0];
      case 'getMany': return this.#values(args[0]);
      // Plain writes wait for a key's two-phase commit like any other commit does.
      case 'put': return this.#plain(this.#commit({ puts: [{ key: args[0], value: args[1], ...args[2] }] }, ns, shards));
      case 'delete': return this.#plain(this.#commit({ deletes: [args[0]] }, ns, shards));
      case 'putIfAbsent': return this.#commit({ checks: [{ key: args[0], value: null }], puts: [{ key: args[0], value: args[1], ...args[2] }] }, ns, shards);
      case 'list': return this.#list(args[0]);
      case 'commit': return this.#commit(args[0], ns, shards);
      case 'prepare': return this.#prepare(args[0], args[1], args[2], args[3], ns, shards);
      case 'decide': return this.#decide(args[0], args[1]);
      case 'finish': return this.#finish(args[0], args[1]);
      // Tests move this shard's clock (TTLs, lock expiry) when the worker allows it.
      case 'advance':
        if (this.#env?.SSO_TEST_CLOCK !== '1') throw new Error('advance is for tests');
        this.#offset += args[0];
        return null;
      default: throw new Error(`unknown shard operation ${op}`);
    }
  }

  /** A plain write that met a key held by a commit in flight: an error, the caller may retry. */
  async #plain(done) {
    if (!(await done)) throw new Error('the key is held by a commit in flight: try again');
    return null;
  }

  async #values(keys) {
    // A key held by a cross-shard commit whose worker died: settle it before answering, so
    // that a decided commit becomes visible without waiting for the next write.
    const now0 = this.#now();
    for (let i = 0; i < keys.length; i += 128) {
      const locks = await this.#storage.get(keys.slice(i, i + 128).map((k) => LOCK + k));
      const expired = [...locks].filter(([, lock]) => lock && lock.exp <= now0).map(([k]) => k.slice(LOCK.length));
      if (expired.length) await this.#blocked(expired, null, this.#ns, this.#shards);
    }
    const now = this.#now();
    const out = [];
    for (let i = 0; i < keys.length; i += 128) {
      const chunk = keys.slice(i, i + 128);
      const got = await this.#storage.get(chunk);
      for (const k of chunk) out.push(live(got.get(k), now)?.v ?? null);
    }
    return out;
  }

  async #list({ prefix = '', cursor, limit = 1000 }) {
    const max = Math.max(1, Math.min(limit, 1000));
    const now = this.#now();
    const names = [];
    let after = cursor;
    let more = false;
    for (let done = false; !done && !more;) {
      const opts = { prefix, limit: max + 1 };
      if (after) opts.startAfter = after;
      const page = [...(await this.#storage.list(opts))];
      done = page.length < max + 1;
      for (const [name, entry] of page) {
        after = name;
        if (name.startsWith(INTERNAL) || !live(entry, now)) continue;
        if (names.length === max) {
          more = true;
          break;
        }
        names.push(name);
      }
    }
    return { keys: names.map((name) => ({ name })), list_complete: !more, cursor: more ? names[names.length - 1] : undefined };
  }

  /** Keys of a part: checked and written. */
  static #keysOf(part) {
    return [...new Set([...part.checks.map((c) => c.key), ...part.puts.map((p) => p.key), ...part.deletes])];
  }

  /** Locks on `keys` that are not `tx`'s: expired ones are resolved first (presumed abort). */
  async #blocked(keys, tx, ns, shards) {
    const locks = await this.#storage.get(keys.map((k) => LOCK + k));
    const now = this.#now();
    let blocked = false;
    for (const [, lock] of locks) {
      if (!lock || lock.tx === tx) continue;
      if (lock.exp > now) {
        blocked = true;
        continue;
      }
      // The worker that took this lock is gone: ask the deciding shard, then settle it here.
      if (!ns) throw new Error('an expired lock cannot be settled without the store name');
      const decision = await this.#ask(lock.coordinator, lock.tx, ns);
      await this.#finish(lock.tx, decision);
    }
    return blocked;
  }

  /**
   * The recorded outcome of `tx`, asking its deciding shard to record "abort" where nothing is
   * recorded yet. Never decided here: if the deciding shard cannot answer, this throws and the
   * key stays locked (deciding locally could drop a part of a commit decided elsewhere).
   */
  async #ask(coordinator, tx, ns) {
    const namespace = this.#env?.[this.#binding];
    if (!namespace) throw new Error(`the shard has no ${this.#binding} binding to settle an expired lock`);
    const r = await namespace.get(namespace.idFromName(`${ns}-shard-${coordinator}`)).fetch('https://shard/', {
      method: 'POST',
      body: JSON.stringify({ op: 'decide', args: [tx, 'abort'] }),
    });
    const out = await r.json();
    if (!out.ok || (out.value !== 'commit' && out.value !== 'abort')) throw new Error('the deciding shard did not answer: try again');
    return out.value;
  }

  /** The checks of a part against live values, inside a transaction. */
  async #holds(txn, part) {
    const now = this.#now();
    if (part.checks.length === 0) return true;
    const got = await txn.get(part.checks.map((c) => c.key));
    return part.checks.every((c) => (live(got.get(c.key), now)?.v ?? null) === (c.value ?? null));
  }

  async #apply(txn, part) {
    const now = this.#now();
    const entries = {};
    for (const p of part.puts) entries[p.key] = wrap(p.value, p, now);
    const keys = Object.keys(entries);
    for (let i = 0; i < keys.length; i += 128) {
      await txn.put(Object.fromEntries(keys.slice(i, i + 128).map((k) => [k, entries[k]])));
    }
    for (let i = 0; i < part.deletes.length; i += 128) await txn.delete(part.deletes.slice(i, i + 128));
  }

  async #commit(given, ns, shards) {
    const part = { checks: given.checks ?? [], puts: given.puts ?? [], deletes: given.deletes ?? [] };
    const keys = StoreShard.#keysOf(part);
    if (await this.#blocked(keys, null, ns, shards)) return false;
    return this.#storage.transaction(async (txn) => {
      // A lock taken while the locks were being resolved above: lose this round.
      const locks = await txn.get(keys.map((k) => LOCK + k));
      if ([...locks.values()].some(Boolean)) return false;
      if (!(await this.#holds(txn, part))) return false;
      await this.#apply(txn, part);
      return true;
    });
  }

  async #prepare(tx, part, coordinator, lockMs, ns, shards) {
    const keys = StoreShard.#keysOf(part);
    if (await this.#blocked(keys, tx, ns, shards)) return false;
    return this.#storage.transaction(async (txn) => {
      const locks = await txn.get(keys.map((k) => LOCK + k));
      if ([...locks.values()].some((l) => l && l.tx !== tx)) return false;
      if (!(await this.#holds(txn, part))) return false;
      const exp = this.#now() + lockMs;
      const lockEntries = Object.fromEntries(keys.map((k) => [LOCK + k, { tx, exp, coordinator }]));
      const names = Object.keys(lockEntries);
      for (let i = 0; i < names.length; i += 128) await txn.put(Object.fromEntries(names.slice(i, i + 128).map((n) => [n, lockEntries[n]])));
      await txn.put(TX + tx, { part, keys });
      return true;
    });
  }

  /** The first decision recorded for `tx` wins. */
  async #decide(tx, decision) {
    return this.#storage.transaction(async (txn) => {
      const known = await txn.get(DECISION + tx);
      if (known) return known.d;
      await txn.put(DECISION + tx, { d: decision, at: this.#now() });
      return decision;
    });
  }

  async #finish(tx, decision) {
    return this.#storage.transaction(async (txn) => {
      const pending = await txn.get(TX + tx);
      if (!pending) return null;
      if (decision === 'commit') await this.#apply(txn, pending.part);
      const locks = pending.keys.map((k) => LOCK + k);
      for (let i = 0; i < locks.length; i += 128) await txn.delete(locks.slice(i, i + 128));
      await txn.delete(TX + tx);
      return null;
    });
  }
}
