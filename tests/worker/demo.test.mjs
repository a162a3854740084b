// `make demo` starts, bootstraps the super-user on first start, logs in, and keeps its data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

test('make demo: first start bootstraps, the second finds the same super-user', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-demo-'));
  const run = () => execFileSync('node', [resolve(import.meta.dirname, '../../examples/demo/serve.mjs'), '--check'],
    { env: { ...process.env, DEMO_DIR: dir, PORT: '0' }, encoding: 'utf8', timeout: 60_000 });
  try {
    const first = run();
    assert.match(first, /created now/);
    assert.match(first, /login check +ok/);
    const second = run();
    assert.ok(second.includes(`(from ${join(dir, 'worker-secrets.json')})`), second);
    assert.match(second, /login check +ok/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
