// Types of `edge-sso/postgres`: PostgresStore, over a `pg` Pool the host gives it.
import type { Store, StoreCommit, ListResult } from './index.js';

/** What PostgresStore uses of a `pg` Pool (a `pg.Pool` is one; the package never imports `pg`). */
export interface PostgresPool {
  query(text: string, values?: any[]): Promise<any>;
  connect(): Promise<{ query(text: string, values?: any[]): Promise<any>; release(err?: any): void }>;
}

export interface PostgresStoreOptions {
  /** Table name, optionally schema-qualified (`"schema.table"`); default `edge_sso`. */
  table?: string;
  /** Clock in milliseconds since the epoch (for tests); expiries are computed and compared with it. */
  now?: () => number;
}

/**
 * PostgreSQL: one table `(k text primary key collate "C", v text not null, e bigint null)`
 * (e: expiry in ms, null: none), created by `open` where missing. Strongly consistent: every
 * write, and `commit`'s checks with its writes, run as one SERIALIZABLE transaction, retried on
 * serialization failures; `list` is in byte order and deletes the expired rows it passes.
 * Keys and values cannot contain U+0000 (TypeError).
 */
export declare class PostgresStore implements Store {
  /** Assumes the table exists: prefer `open`. */
  constructor(pool: PostgresPool, options?: PostgresStoreOptions);
  /** Creates the table if it is missing: `await PostgresStore.open(pool)`. */
  static open(pool: PostgresPool, options?: PostgresStoreOptions): Promise<PostgresStore>;
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; cursor?: string; limit?: number }): Promise<ListResult>;
  putIfAbsent(key: string, value: string, options?: { expirationTtl?: number }): Promise<boolean>;
  getMany(keys: string[]): Promise<Array<string | null>>;
  commit(op: StoreCommit): Promise<boolean>;
}
