// Runs the *.test.mjs files of a folder under `node --test` against a throwaway PostgreSQL
// (server.mjs), PGHOST / PGPORT / PGUSER in their environment, then stops the server and cleans
// up whatever the tests did (also on Ctrl-C). tests/postgres/run.mjs and tests/cli/run.mjs.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startPostgres } from './server.mjs';

/**
 * `prepare(server)` runs once the server is up, before the tests; the variables it returns are
 * added to their environment. `cleanUp()` runs after the server has stopped. Arguments given to
 * the runner pass on to `node --test`. Exits with the tests' status (1 if set-up failed).
 */
export async function runTestsWithPostgres(dir, { prepare = async () => ({}), cleanUp = () => {} } = {}) {
  let server = null;
  const stop = () => {
    server?.stop();
    server = null;
    cleanUp();
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      stop();
      process.exit(130);
    });
  }

  let code = 1;
  try {
    server = await startPostgres();
    const env = { ...process.env, ...server.env, ...(await prepare(server)) };
    const files = readdirSync(dir).filter((f) => f.endsWith('.test.mjs')).map((f) => join(dir, f));
    const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], { stdio: 'inherit', env });
    code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  } catch (e) {
    console.error(e);
    code = 1;
  } finally {
    stop();
  }
  process.exit(code);
}
