// Types of `edge-sso/postgres`: PostgresStore, over a `pg` Pool the host gives it.
import type { AtomicStore } from './index.js';

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
export declare class PostgresStore {
  /** Assumes the table exists: prefer `open`. */
  constructor(pool: PostgresPool, options?: PostgresStoreOptions);
  /** Creates the table if it is missing: `await PostgresStore.open(pool)`. */
  static open(pool: PostgresPool, options?: PostgresStoreOptions): Promise<PostgresStore>;
}
/** The store protocol's methods (PostgresStore has all of them). */
export interface PostgresStore extends AtomicStore {}
