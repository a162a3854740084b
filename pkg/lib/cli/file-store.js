// A store in one JSON file, for the demo and for `edge-sso --store file:PATH`: the whole state
// in memory, the file rewritten (to a temporary file, then renamed) after every change.
// Store protocol v2 (getMany, an atomic commit), atomic within the one process that holds the
// file. One process at a time: `lock()` takes PATH.lock (with the owner's pid); a lock left by a
// process that no longer runs is taken over. Format: { key: { value, expiresAt (ms) | null } }.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkCommit, checkKeys, checksHold } from '../store-protocol.js';

function processRuns(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}

export class FileStore {
  #path;
  #data;
  #lockPath = null;

  constructor(path) {
    if (typeof path !== 'string' || path === '') throw new TypeError('FileStore takes a file path');
    this.#path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#load();
  }

  /** Reads the file (again): `lock()` does, so that the state is the one the lock protects. */
  #load() {
    const path = this.#path;
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      try {
        this.#data = JSON.parse(text);
      } catch {
        throw new Error(`${path} is not a store file (not JSON)`);
      }
      if (this.#data === null || typeof this.#data !== 'object' || Array.isArray(this.#data)) {
        throw new Error(`${path} is not a store file (not a JSON object)`);
      }
    } else {
      this.#data = {};
    }
  }

  /**
   * Takes PATH.lock for this process, then reads the file; throws if another running process
   * holds the lock. The lock file is written whole under a private name and then linked into
   * place (a link fails if the lock exists), so no process ever reads a half-written lock. A
   * lock left by a process that has ended is renamed away first: of several processes doing
   * so at once, one rename wins and the others find no file to take.
   */
  lock() {
    const lockPath = `${this.#path}.lock`;
    const mine = `${lockPath}.${process.pid}.${randomBytes(6).toString('hex')}`;
    const fd = openSync(mine, 'wx', 0o600);
    writeSync(fd, String(process.pid));
    fsyncSync(fd);
    closeSync(fd);
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          linkSync(mine, lockPath);
          this.#lockPath = lockPath;
          this.#load();
          return this;
        } catch (e) {
          if (e.code !== 'EEXIST') throw e;
        }
        let owner = 0;
        try {
          owner = Number(readFileSync(lockPath, 'utf8'));
        } catch {
          continue; // gone meanwhile: try again
        }
        if (Number.isInteger(owner) && owner > 0 && processRuns(owner)) {
          throw new Error(`${this.#path} is in use by process ${owner} (${lockPath}); one process at a time`);
        }
        const stale = `${lockPath}.stale.${randomBytes(6).toString('hex')}`;
        try {
          renameSync(lockPath, stale);
          rmSync(stale, { force: true });
        } catch {
          // another process moved it first
        }
      }
      throw new Error(`could not take ${lockPath}`);
    } finally {
      rmSync(mine, { force: true });
    }
  }

  close() {
    if (this.#lockPath) rmSync(this.#lockPath, { force: true });
    this.#lockPath = null;
  }

  #live(key) {
    const e = Object.hasOwn(this.#data, key) ? this.#data[key] : undefined;
    if (e && e.expiresAt && e.expiresAt <= Date.now()) {
      delete this.#data[key];
      return undefined;
    }
    return e;
  }

  #set(key, value, opts) {
    if (typeof key !== 'string' || typeof value !== 'string') throw new TypeError('FileStore keys and values are strings');
    const ttl = opts && Number.isFinite(opts.expirationTtl) ? opts.expirationTtl : null;
    // defineProperty: a key such as `__proto__` stays an ordinary key.
    Object.defineProperty(this.#data, key, {
      value: { value, expiresAt: ttl === null ? null : Date.now() + ttl * 1000 },
      enumerable: true, writable: true, configurable: true,
    });
  }

  /** Written whole to a new private file, flushed, then renamed over the store. */
  #save() {
    const tmp = `${this.#path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(tmp, 'wx', 0o600);
    try {
      writeSync(fd, JSON.stringify(this.#data));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, this.#path);
  }

  async get(key) {
    return this.#live(key)?.value ?? null;
  }

  async put(key, value, opts) {
    this.#set(key, value, opts);
    this.#save();
  }

  async putIfAbsent(key, value, opts) {
    if (this.#live(key)) return false;
    this.#set(key, value, opts);
    this.#save();
    return true;
  }

  async delete(key) {
    delete this.#data[key];
    this.#save();
  }

  async getMany(keys) {
    return checkKeys(keys).map((k) => this.#live(k)?.value ?? null);
  }

  /** Atomic in this process: the checks and the writes with no await in between, one file write. */
  async commit(op) {
    const { checks, puts, deletes } = checkCommit(op);
    if (!checksHold(checks, (k) => this.#live(k)?.value)) return false;
    for (const p of puts) this.#set(p.key, p.value, p);
    for (const k of deletes) delete this.#data[k];
    this.#save();
    return true;
  }

  async list({ prefix = '', cursor, limit = 1000 } = {}) {
    const n = Math.floor(Number(limit));
    const max = Number.isFinite(n) ? Math.max(1, n) : 1000;
    const names = Object.keys(this.#data).filter((k) => k.startsWith(prefix) && (cursor === undefined || k > cursor) && this.#live(k)).sort();
    const page = names.slice(0, max);
    const complete = page.length === names.length;
    return { keys: page.map((name) => ({ name })), list_complete: complete, cursor: complete ? undefined : page.at(-1) };
  }
}
