// `make test-cli`: builds Zato SSO databases with Python's own cryptography and passlib
// (make_zato_db.py, run by $PYTHON: the venv the Makefile makes), starts a throwaway PostgreSQL
// (tests/postgres/server.mjs) and loads the Zato tables into its database `zato`, then runs
// tests/cli/*.test.mjs with ZATO_FIXTURES (the folder of zato.sqlite and expected.json) and
// PGHOST / PGPORT / PGUSER in their environment. Everything is removed afterwards.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { runTestsWithPostgres } from '../postgres/run-with-postgres.mjs';

const here = import.meta.dirname;
const python = process.env.PYTHON;
if (!python) {
  console.error('run through `make test-cli`: PYTHON names a Python with cryptography and passlib');
  process.exit(1);
}

const fixtures = mkdtempSync(join(tmpdir(), 'edge-sso-zato-'));

/** The Zato databases: zato.sqlite in `fixtures`, and the same tables in the server's `zato`. */
async function makeZatoDatabases(server) {
  const made = spawnSync(python, [join(here, 'make_zato_db.py'), fixtures], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`make_zato_db.py failed:\n${made.stdout}${made.stderr}`);
  const connection = (database) => ({ host: server.env.PGHOST, port: Number(server.env.PGPORT), user: server.env.PGUSER, database });
  const admin = new pg.Client(connection('postgres'));
  await admin.connect();
  await admin.query('CREATE DATABASE zato');
  await admin.end();
  const zato = new pg.Client(connection('zato'));
  await zato.connect();
  await zato.query(readFileSync(join(fixtures, 'zato-pg.sql'), 'utf8'));
  await zato.end();
  return { ZATO_FIXTURES: fixtures };
}

await runTestsWithPostgres(here, {
  prepare: makeZatoDatabases,
  cleanUp: () => rmSync(fixtures, { recursive: true, force: true }),
});
