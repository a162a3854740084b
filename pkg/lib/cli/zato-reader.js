// Reads Zato's SSO tables (zato_sso_user, zato_sso_attr, zato_sso_linked_auth, and the
// usernames of sec_base where that table is there) from a SQLite file (npm sql.js, pure
// WebAssembly) or a PostgreSQL database (npm pg). Rows come back with Zato's column names,
// booleans as booleans and timestamps in Zato's format (naive UTC, `YYYY-MM-DDTHH:MM:SS[.ffffff]`);
// sealed values are left sealed (import-zato opens them).
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';
import { importOptional } from './optional.js';

const BOOLEAN_COLUMNS = new Set([
  'is_active', 'is_internal', 'is_super_user', 'is_locked', 'password_is_set', 'password_must_change',
  'is_rate_limit_active', 'rate_limit_check_parent_def', 'is_totp_enabled', 'is_session_attr', 'is_encrypted',
  'has_ext_principal',
]);
const TIME_COLUMNS = new Set([
  'locked_time', 'approval_status_mod_time', 'password_last_set', 'password_expiry', 'sign_up_time',
  'sign_up_confirm_time', 'creation_time', 'last_modified', 'expiration_time', 'approv_rej_time',
]);

function toBoolean(v) {
  if (v === null || v === undefined || typeof v === 'boolean') return v ?? null;
  if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
  const s = String(v).trim().toLowerCase();
  return s === '1' || s === 'true' || s === 't';
}

const TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\.(\d+))?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** A timestamp as SQLite or PostgreSQL give it, in Zato's format; an unreadable one throws. */
export function toZatoTime(v) {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) v = v.toISOString();
  const m = TIME.exec(String(v).trim());
  if (!m) throw new Error(`unreadable timestamp ${JSON.stringify(String(v).slice(0, 40))}`);
  const [, date, time, frac = '', zone] = m;
  let micros = frac.slice(0, 6).padEnd(6, '0');
  let base = `${date}T${time}`;
  if (zone && zone !== 'Z' && !/^[+-]00(:?00)?$/.test(zone)) {
    // An offset other than UTC (a timestamptz column): moved to UTC, as Zato's naive times are.
    const d = new Date(`${base}.${micros.slice(0, 3)}${zone.length === 3 ? `${zone}:00` : zone}`);
    if (Number.isNaN(d.getTime())) throw new Error(`unreadable timestamp ${JSON.stringify(String(v))}`);
    base = d.toISOString().slice(0, 19);
  }
  if (micros === '000000') micros = '';
  return micros ? `${base}.${micros}` : base;
}

function normalize(row) {
  const out = {};
  for (const [k, v] of Object.entries(row)) {
    if (BOOLEAN_COLUMNS.has(k)) out[k] = toBoolean(v);
    else if (TIME_COLUMNS.has(k)) out[k] = toZatoTime(v);
    else if (typeof v === 'bigint') out[k] = Number(v);
    else out[k] = v;
  }
  return out;
}

async function sqliteSource(path) {
  if (!existsSync(path)) throw new CliError(EXIT.USAGE, `no such Zato database file: ${path}`);
  const initSqlJs = (await importOptional('sql.js', 'import-zato from a SQLite file')).default;
  const SQL = await initSqlJs();
  let db;
  try {
    db = new SQL.Database(readFileSync(path));
    db.exec('SELECT 1 FROM sqlite_master LIMIT 1');
  } catch (e) {
    db?.close();
    throw new CliError(EXIT.USAGE, `${path} is not a SQLite database (${e.message})`);
  }
  const all = (sql, params = []) => {
    const stmt = db.prepare(sql);
    try {
      stmt.bind(params);
      const rows = [];
      while (stmt.step()) rows.push(stmt.getAsObject());
      return rows;
    } finally {
      stmt.free();
    }
  };
  return {
    kind: 'SQLite',
    hasTable: async (name) => all("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?", [name]).length > 0,
    rows: async (sql) => all(sql),
    close: async () => db.close(),
  };
}

async function postgresSource(url) {
  const pg = (await importOptional('pg', 'import-zato from PostgreSQL')).default;
  // Timestamps as the server's text: pg would read `timestamp` as local time otherwise.
  const types = { getTypeParser: (oid, format) => (oid === 1114 || oid === 1184 ? (v) => v : pg.types.getTypeParser(oid, format)) };
  const client = new pg.Client({ connectionString: url || undefined, types });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    throw new CliError(EXIT.STORE_FAILURE, `could not connect to the Zato database: ${e.message}`);
  }
  return {
    kind: 'PostgreSQL',
    hasTable: async (name) => (await client.query('SELECT to_regclass($1) AS t', [name])).rows[0].t !== null,
    rows: async (sql) => (await client.query(sql)).rows,
    close: () => client.end(),
  };
}

/** `source`: a SQLite file (or sqlite:PATH), or a PostgreSQL URL (postgres://, postgresql://, postgres:URL). */
export async function openZatoDatabase(source) {
  if (typeof source !== 'string' || source === '') throw new CliError(EXIT.USAGE, 'import-zato needs the Zato database: a SQLite file or a PostgreSQL URL');
  if (/^postgres(ql)?:\/\//.test(source)) return postgresSource(source);
  if (source.startsWith('postgres:')) return postgresSource(source.slice('postgres:'.length));
  return sqliteSource(resolve(source.startsWith('sqlite:') ? source.slice('sqlite:'.length) : source));
}

/**
 * Everything import-zato needs, read in one go: users (in Zato's insertion order), and each
 * user's attributes and linked-auth rows by user_id. `secDefUsernames` maps sec_base ids to
 * usernames when the SSO tables live in the Zato ODB itself (a standalone SSO database has none).
 */
export async function readZatoSso(db) {
  if (!(await db.hasTable('zato_sso_user'))) throw new CliError(EXIT.USAGE, `the ${db.kind} database has no zato_sso_user table: is it Zato's SSO database?`);
  const users = (await db.rows('SELECT * FROM zato_sso_user ORDER BY id')).map(normalize);
  const byUser = (rows) => {
    const m = new Map();
    for (const r of rows) {
      const n = normalize(r);
      if (!m.has(n.user_id)) m.set(n.user_id, []);
      m.get(n.user_id).push(n);
    }
    return m;
  };
  const attrs = (await db.hasTable('zato_sso_attr')) ? byUser(await db.rows('SELECT * FROM zato_sso_attr ORDER BY id')) : new Map();
  const links = (await db.hasTable('zato_sso_linked_auth')) ? byUser(await db.rows('SELECT * FROM zato_sso_linked_auth ORDER BY id')) : new Map();
  const secDefUsernames = new Map();
  if (await db.hasTable('sec_base')) {
    for (const r of await db.rows('SELECT id, username FROM sec_base')) secDefUsernames.set(Number(r.id), r.username ?? null);
  }
  return { users, attrs, links, secDefUsernames };
}
