// `make test-cli`: builds Zato SSO databases with Python's own cryptography and passlib
// (make_zato_db.py, run by $PYTHON: the venv the Makefile makes), starts a throwaway PostgreSQL
// (tests/postgres/server.mjs) and loads the Zato tables into its database `zato`, then runs
// tests/cli/*.test.mjs with ZATO_FIXTURES (the folder of zato.sqlite and expected.json) and
// PGHOST / PGPORT / PGUSER in their environment. Everything is removed afterwards.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startPostgres } from '../postgres/server.mjs';

const here = import.meta.dirname;
const python = process.env.PYTHON;
if (!python) {
  console.error('run through `make test-cli`: PYTHON names a Python with cryptography and passlib');
  process.exit(1);
}

const fixtures = mkdtempSync(join(tmpdir(), 'edge-sso-zato-'));
let server = null;
const stop = () => {
  server?.stop();
  server = null;
  rmSync(fixtures, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    stop();
    process.exit(130);
  });
}

let code = 1;
try {
  const made = spawnSync(python, [join(here, 'make_zato_db.py'), fixtures], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`make_zato_db.py failed:\n${made.stdout}${made.stderr}`);
  server = await startPostgres();
  const connection = (database) => ({ host: server.env.PGHOST, port: Number(server.env.PGPORT), user: server.env.PGUSER, database });
  const admin = new pg.Client(connection('postgres'));
  await admin.connect();
  await admin.query('CREATE DATABASE zato');
  await admin.end();
  const zato = new pg.Client(connection('zato'));
  await zato.connect();
  await zato.query(readFileSync(join(fixtures, 'zato-pg.sql'), 'utf8'));
  await zato.end();

  const files = readdirSync(here).filter((f) => f.endsWith('.test.mjs')).map((f) => join(here, f));
  const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], {
    stdio: 'inherit',
    env: { ...process.env, ...server.env, ZATO_FIXTURES: fixtures },
  });
  code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
} catch (e) {
  console.error(e);
  code = 1;
} finally {
  stop();
}
process.exit(code);
