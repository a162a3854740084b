// A throwaway PostgreSQL (Debian's, /usr/lib/postgresql/*/bin) in a temporary directory,
// listening only on a unix socket there; used by tests/postgres/run.mjs and tests/cli/run.mjs.
// As root (CI), initdb and the server run as the `postgres` OS user, since PostgreSQL refuses
// to run as root. `stop()` stops it and removes the directory; call it whatever happens.
import { spawnSync } from 'node:child_process';
import { chownSync, chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function binDir() {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  versions.sort((a, b) => Number(b) - Number(a));
  if (!versions.length) {
    throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `make setup` (apt-get install postgresql)');
  }
  return join(root, versions[0], 'bin');
}

/** A TCP port nobody listens on now: the number also names the unix socket. */
function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Starts the server; resolves { env (PGHOST, PGPORT, PGUSER, PGDATABASE), stop }. */
export async function startPostgres() {
  const bin = binDir();
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-pg-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  let started = false;

  /** Runs a PostgreSQL program, as the postgres user when we are root. */
  const pg = (program, args, opts = {}) => {
    const cmd = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, program), ...args]] : [join(bin, program), args];
    const r = spawnSync(cmd[0], cmd[1], { encoding: 'utf8', ...opts });
    if (r.status !== 0 && !opts.allowFailure) {
      throw new Error(`${program} ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
    }
    return r;
  };
  const stop = () => {
    if (started) {
      started = false;
      pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop'], { allowFailure: true });
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    if (asRoot) {
      const pw = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
      const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
      if (pw.status !== 0) {
        throw new Error('running as root, and there is no `postgres` user to run PostgreSQL as (Debian\'s postgresql package creates it)');
      }
      chownSync(dir, Number(pw.stdout), Number(gid.stdout));
      chmodSync(dir, 0o755);
    }
    const port = await freePort();
    pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
    started = true;
    try {
      // No TCP at all: a unix socket in the temporary directory. fsync off: nothing here must last.
      pg('pg_ctl', ['-D', data, '-l', log, '-w', '-t', '30', '-o', `-k ${dir} -p ${port} -c listen_addresses= -c fsync=off -c max_connections=100`, 'start']);
    } catch (e) {
      started = existsSync(join(data, 'postmaster.pid'));
      const r = spawnSync('cat', [log], { encoding: 'utf8' });
      throw new Error(`${e.message}\n${r.stdout ?? ''}`);
    }
    return { env: { PGHOST: dir, PGPORT: String(port), PGUSER: 'postgres', PGDATABASE: 'postgres' }, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
