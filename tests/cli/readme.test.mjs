// README.md's shell examples of the command line, run as written: every block whose doc-test
// marker says `tests/cli/readme.test.mjs` runs in bash (-e: a failing command fails it) in a fresh
// folder where `npx edge-sso` finds the installed package, as in a project that depends on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import initSqlJs from 'sql.js';
import { tempDir } from './helpers.mjs';

const here = import.meta.dirname;
const lines = readFileSync(resolve(here, '../../README.md'), 'utf8').split('\n');
const blocks = [];
for (let i = 0; i < lines.length; i++) {
  if (/^```sh\s*$/.test(lines[i]) && (lines[i - 1] ?? '').includes('tests/cli/readme.test.mjs')) {
    const body = [];
    for (i++; !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
    blocks.push(body.join('\n'));
  }
}

function runBlock(code, prepare = () => {}) {
  const dir = tempDir('edge-sso-readme-');
  symlinkSync(join(here, 'node_modules'), join(dir, 'node_modules'));
  prepare(dir);
  const env = { ...process.env, SSO_SECRET_KEY: '', SSO_STORE: '', ZATO_SECRET_KEY: '', npm_config_yes: 'false' };
  const r = spawnSync('bash', ['-e', '-c', code], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  return { ...r, dir };
}

test('the README has the command line\'s two examples marked for this test', () => {
  assert.equal(blocks.length, 2);
  assert.match(blocks[0], /npx edge-sso create-super-user/);
  assert.match(blocks[1], /npx edge-sso import-zato/);
});

test('README: the commands example runs as written', () => {
  const r = runBlock(blocks[0]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /Created super-user `admin`/);
  assert.match(r.stdout, /Password for user `jo` reset to \S{32}/);
  assert.match(r.stdout, /User logged out by UST/);
  assert.match(r.stdout, /"command":"reset-totp-key".*"key":"[A-Z2-7]+=*"/);
  assert.match(r.stdout, /Deleted user `jo`/);
  assert.match(r.stdout, /exit 20$/m);
});

test('README: the import-zato example runs as written, on a Zato database', async () => {
  const fixtures = process.env.ZATO_FIXTURES;
  assert.ok(fixtures, 'run with `make test-cli`');
  const { zato_secret_key: zatoKey } = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8'));
  // The fixture without frank, whose TOTP key another deployment sealed (import.test.mjs has him).
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(join(fixtures, 'zato.sqlite')));
  db.run("DELETE FROM zato_sso_user WHERE username = 'frank'");
  const bytes = db.export();
  db.close();
  const r = runBlock(blocks[1], (dir) => {
    writeFileSync(join(dir, 'zato-sso.db'), bytes);
    writeFileSync(join(dir, 'zato-secret.key'), `${zatoKey}\n`);
  });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^Zato users: 6; imported 6, updated 0, skipped 0, failed 0$/m);
  assert.match(r.stdout, /"status":"ok","command":"import-zato","total":6,"imported":0,"updated":0,"skipped":6,"failed":\[\]/);
  assert.ok(!(r.stdout + r.stderr).includes(zatoKey));
});
