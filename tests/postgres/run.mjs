// `make test-postgres`: starts a throwaway PostgreSQL (server.mjs), runs the *.test.mjs files of
// this folder against it (PGHOST / PGPORT / PGUSER in their environment), then stops it and
// removes its directory, whatever the tests did (also on Ctrl-C).
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));

let server = null;
const stop = () => {
  server?.stop();
  server = null;
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
  const files = readdirSync(here).filter((f) => f.endsWith('.test.mjs')).map((f) => join(here, f));
  const child = spawn(process.execPath, ['--test', '--test-concurrency=2', ...process.argv.slice(2), ...files], {
    stdio: 'inherit',
    env: { ...process.env, ...server.env },
  });
  code = await new Promise((resolve) => child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
} catch (e) {
  console.error(e);
  code = 1;
} finally {
  stop();
}
process.exit(code);
