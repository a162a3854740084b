// `make demo` as a new administrator meets it: the console opens in REST mode and the printed
// credentials log in at once; its audit page shows the worker's trail; a busy port is one clear
// line; the printed paths follow DEMO_DIR; nothing is rebuilt when nothing changed.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { staleReasons } from '../../examples/demo/stale.mjs';
import { root, launch, open, assertAccessible, login } from './console-helpers.mjs';

const SERVE = resolve(root, 'examples/demo/serve.mjs');
let browser;
before(async () => { browser = await launch(); });
after(() => browser.close());

/** serve.mjs in its own DEMO_DIR on a free port; resolves with its printed text once it is up. */
function startDemo(dir) {
  const child = spawn(process.execPath, [SERVE], { cwd: root, env: { ...process.env, DEMO_DIR: dir, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const up = new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error(`the demo did not start:\n${out}`)), 60_000);
    child.stdout.on('data', () => { if (out.includes('Ctrl-C stops it.')) { clearTimeout(t); ok(out); } });
    child.on('exit', () => { clearTimeout(t); fail(new Error(`the demo exited:\n${out}`)); });
  });
  return { child, up };
}

test('bug: make demo opens the console in REST mode, logged in with the printed credentials; paths follow DEMO_DIR; the audit page has the trail', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-console-demo-'));
  const { child, up } = startDemo(dir);
  try {
    const out = await up;
    const consoleUrl = /admin console +(\S+)/.exec(out)[1];
    const [, username, password] = /super-user +(\S+) \/ (\S+)/.exec(out);
    assert.ok(out.includes(`KV persisted in ${join(dir, 'kv')}`), out);
    assert.ok(out.includes(`kept in ${join(dir, 'worker-secrets.json')}`), out);
    assert.ok(!out.includes('.demo/'), `no .demo/ path when DEMO_DIR is set:\n${out}`);
    const { page, context, errors } = await open(browser, consoleUrl);
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    assert.equal(await page.locator('#mode').inputValue(), 'rest');
    assert.equal(await page.getByRole('heading', { name: 'Create the super-user' }).isVisible(), false);
    await login(page, username, password);
    await page.locator('#users-caption', { hasText: /^1 user$/ }).waitFor();
    // The demo's worker keeps emails sealed (the default): no email search, and no error for one.
    assert.doesNotMatch(await page.locator('#search-q').getAttribute('placeholder'), /email/);
    await page.locator('#search-q').fill('someone@example.com');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#users-empty', { hasText: 'No user matches' }).waitFor();
    assert.equal(await page.locator('#search-form-error').innerText(), '');
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('#audit-note', { hasText: 'audit trail of this server' }).waitFor();
    await page.locator('#audit-table td', { hasText: 'log in' }).first().waitFor();
    await assertAccessible(page, 'demo audit page');
    // The extension is for super-users only.
    const anonymous = await fetch(new URL('/console/audit', consoleUrl));
    assert.equal(anonymous.status, 401);
    assert.deepEqual(errors, []);
    await context.close();
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bug: a busy port gives one line naming the PORT setting, no stack trace', async () => {
  const blocker = createServer();
  await new Promise((r) => blocker.listen(0, '127.0.0.1', r));
  const port = blocker.address().port;
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-console-demo-'));
  try {
    const r = spawnSync(process.execPath, [SERVE], { cwd: root, env: { ...process.env, DEMO_DIR: dir, PORT: String(port) }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 1);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^Port ${port} is in use.*PORT=${port + 1} make demo$`));
    assert.doesNotMatch(r.stderr, /EADDRINUSE|\n\s+at /);
  } finally {
    blocker.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bug: make demo rebuilds only what is older than its inputs (no wasm-bindgen or wasm-opt when nothing changed)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edge-sso-stale-'));
  const file = (p, time) => {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), 'x');
    utimesSync(join(dir, p), time, time);
  };
  try {
    const t = (s) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
    mkdirSync(join(dir, 'node_modules'));
    for (const p of ['src/lib.rs', 'Cargo.toml', 'Cargo.lock']) file(p, t(1));
    file('pkg/wasm/edge_sso_bg.wasm', t(2));
    file('pkg/lib/index.js', t(1));
    file('www/vendor/qrcode.mjs', t(2));
    for (const p of ['examples/cloudflare-worker/src/worker.js', 'examples/cloudflare-worker/wrangler.toml', 'examples/cloudflare-worker/package.json']) file(p, t(1));
    file('.build/worker/worker.js', t(3));
    assert.deepEqual(staleReasons(dir), []);
    const r = spawnSync(process.execPath, [resolve(root, 'examples/demo/stale.mjs'), dir], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /up to date: no rebuild/);
    file('src/lib.rs', t(5));
    assert.deepEqual(staleReasons(dir), ['src/lib.rs is newer than pkg/wasm/edge_sso_bg.wasm']);
    file('pkg/wasm/edge_sso_bg.wasm', t(6));
    assert.deepEqual(staleReasons(dir), ['pkg/wasm/edge_sso_bg.wasm is newer than .build/worker/worker.js']);
    rmSync(join(dir, '.build'), { recursive: true });
    assert.deepEqual(staleReasons(dir), ['.build/worker/worker.js is missing']);
    const again = spawnSync(process.execPath, [resolve(root, 'examples/demo/stale.mjs'), dir], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stdout, /^rebuilding: \.build\/worker\/worker\.js is missing/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
