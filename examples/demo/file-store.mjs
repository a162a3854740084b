// A small file-backed store for the demo: one JSON file, written after every change.
// Single process only; not for production.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export class FileStore {
  #path;
  #data;

  constructor(path) {
    this.#path = path;
    mkdirSync(dirname(path), { recursive: true });
    this.#data = existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {};
  }

  #live(key) {
    const e = this.#data[key];
    if (e && e.expiresAt && e.expiresAt <= Date.now()) {
      delete this.#data[key];
      return undefined;
    }
    return e;
  }

  #save() {
    writeFileSync(`${this.#path}.tmp`, JSON.stringify(this.#data, null, 1));
    renameSync(`${this.#path}.tmp`, this.#path);
  }

  async get(key) {
    return this.#live(key)?.value ?? null;
  }

  async put(key, value, opts = {}) {
    this.#data[key] = { value, expiresAt: opts.expirationTtl ? Date.now() + opts.expirationTtl * 1000 : null };
    this.#save();
  }

  async putIfAbsent(key, value, opts) {
    if (this.#live(key)) return false;
    await this.put(key, value, opts);
    return true;
  }

  async delete(key) {
    delete this.#data[key];
    this.#save();
  }

  async list({ prefix = '', cursor, limit = 1000 }) {
    const names = Object.keys(this.#data).filter((k) => k.startsWith(prefix) && (!cursor || k > cursor) && this.#live(k)).sort();
    const page = names.slice(0, limit);
    const complete = page.length === names.length;
    return { keys: page.map((name) => ({ name })), list_complete: complete, cursor: complete ? undefined : page.at(-1) };
  }
}
