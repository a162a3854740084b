// The package as a user installs it: `npm pack` output installed into an empty folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const buildDir = resolve(import.meta.dirname, '../../.build');

test('npm pack + npm install into an empty folder, then import edge-sso', () => {
  const tgz = readdirSync(buildDir).find((f) => /^edge-sso-.*\.tgz$/.test(f));
  assert.ok(tgz, 'make test-js packs the package first');
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-consumer-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', join(buildDir, tgz)], { cwd: dir, stdio: 'pipe' });
    writeFileSync(join(dir, 'main.mjs'), `
      import { Sso, MemoryStore, SsoError, User } from 'edge-sso';
      const sso = new Sso({ store: new MemoryStore(), secretKey: Buffer.alloc(32, 3).toString('base64'),
                            config: { argon2: { m_cost: 64, t_cost: 1 } } });
      await sso.user.createSuperUser('c', { username: 'admin', password: 'a long passphrase' });
      const { ust } = await sso.user.login('c', 'admin', 'a long passphrase', 'CRM', '127.0.0.1');
      const me = await sso.user.getCurrentUser('c', ust, 'CRM', '127.0.0.1');
      const err = await sso.user.getCurrentUser('c', 'x', 'CRM', '').catch((e) => e);
      console.log(JSON.stringify({ user: me instanceof User, name: me.username, err: err instanceof SsoError && err.code }));
    `);
    const out = execFileSync('node', ['main.mjs'], { cwd: dir, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { user: true, name: 'admin', err: 'E007001' });
    const files = execFileSync('npm', ['ls', '--parseable', '--all'], { cwd: dir, encoding: 'utf8' }).trim().split('\n');
    assert.equal(files.length, 2, 'no runtime dependencies');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
