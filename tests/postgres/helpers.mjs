// A pg Pool on the throwaway server run.mjs started (PGHOST etc. in the environment), and a
// fresh table for each store: tests never share data.
import { after } from 'node:test';
import pg from 'pg';
import { PostgresStore } from 'edge-sso/postgres';

if (!process.env.PGHOST) throw new Error('run these tests with `make test-postgres` (tests/postgres/run.mjs starts PostgreSQL)');

export const pool = new pg.Pool({ max: 20 });
after(() => pool.end());

let n = 0;
/** A unique table name for this file's process. */
export const freshTable = () => `t_${process.pid}_${++n}`;

export function clock() {
  const c = { t: 1_700_000_000_000 };
  return { now: () => c.t, advance: (ms) => { c.t += ms; } };
}

/** A store on a new, empty table (PostgresStore.open creates it). */
export const freshStore = (opts = {}) => PostgresStore.open(opts.pool ?? pool, { table: freshTable(), ...opts });
