// The admin console (www/) in Debian's Chromium: the whole library in the page over IndexedDB.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { exampleWorker } from '../worker/example-worker.mjs';
import { freshTotp } from '../rest/suite.mjs';
import { consoleServer, staticServer, viaMiniflare, CHROMIUM_ARGS } from './static-server.mjs';

const root = resolve(import.meta.dirname, '../..');
const shots = resolve(import.meta.dirname, 'screenshots');
mkdirSync(shots, { recursive: true });
const server = consoleServer(root);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
after(async () => {
  await browser.close();
  server.close();
});

const ADMIN = 'admin';
const ADMIN_PW = 'console admin passphrase';

/** A fresh profile (empty IndexedDB), with console errors collected. */
async function open({ width = 1200 } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('dialog', (d) => d.accept());
  await page.goto(base);
  return { page, context, errors };
}

async function firstRun(page) {
  await page.getByRole('heading', { name: 'Create the super-user' }).waitFor();
  await page.locator('#setup-username').fill(ADMIN);
  await page.locator('#setup-password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Create super-user' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.locator('#login-password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
}

const shot = (page, name) => page.screenshot({ path: resolve(shots, `${name}.png`), fullPage: true });

test('first run: the policy error shows next to the password, then the super-user logs in', async () => {
  const { page, context, errors } = await open();
  await page.getByRole('heading', { name: 'Create the super-user' }).waitFor();
  await page.locator('#setup-username').fill(ADMIN);
  await page.locator('#setup-password').fill('short');
  await page.getByRole('button', { name: 'Create super-user' }).click();
  await assert.doesNotReject(page.locator('#setup-password-error', { hasText: 'That password is too short. (E003002)' }).waitFor());
  await shot(page, '01-first-run-policy-error');
  await page.locator('#setup-password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Create super-user' }).click();
  await page.locator('#login-password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#login-form-error', { hasText: 'E005001' }).waitFor();
  await page.locator('#login-password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#who', { hasText: 'Logged in as admin (super-user)' }).waitFor();
  await shot(page, '02-logged-in');
  assert.deepEqual(errors, []);
  await context.close();
});

test('create → approve → search → lock → unlock → delete, and the data survives a reload', async () => {
  const { page, context, errors } = await open();
  await firstRun(page);
  await page.getByText('Create a user').click();
  await page.locator('#create-username').fill('admin');
  await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
  await page.locator('#create-username-error', { hasText: 'That username is taken. (E001002)' }).waitFor();
  await page.locator('#create-username').fill('alice');
  await page.locator('#create-display').fill('Alice Smith');
  await page.locator('#create-password').fill('alice passphrase 1');
  await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
  await page.getByRole('button', { name: 'Open alice' }).waitFor();
  await page.getByRole('button', { name: 'Open alice' }).click();
  await page.locator('#detail-fields [data-field=approval_status]', { hasText: 'before_decision' }).waitFor();
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.locator('#detail-fields [data-field=approval_status]', { hasText: 'approved' }).waitFor();
  await shot(page, '03-approved');
  await page.locator('#search-value').fill('smith');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('#users-caption', { hasText: 'Users: 1 found' }).waitFor();
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await page.locator('#detail-fields [data-field=is_locked]', { hasText: 'true' }).waitFor();
  await page.locator('#users-table td', { hasText: 'locked' }).waitFor();
  await page.getByRole('button', { name: 'Unlock' }).click();
  await page.locator('#detail-fields [data-field=is_locked]', { hasText: 'false' }).waitFor();
  await shot(page, '04-search-unlocked');
  // The data is in IndexedDB: a reload shows it.
  await page.reload();
  await page.getByRole('button', { name: 'Open alice' }).waitFor();
  await shot(page, '05-after-reload');
  await page.getByRole('button', { name: 'Open alice' }).click();
  await page.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
  await page.locator('#status', { hasText: 'Deleted alice.' }).waitFor();
  await page.locator('#search-value').fill('');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('#users-caption', { hasText: 'Users: 1 found' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Open alice' }).count(), 0);
  assert.deepEqual(errors, []);
  await context.close();
});

test('TOTP enrolment: the key shown works in an authenticator (the test computes the code)', async () => {
  const { page, context, errors } = await open();
  await firstRun(page);
  await page.getByRole('button', { name: 'My account' }).click();
  await page.getByRole('button', { name: 'New TOTP key' }).click();
  await page.locator('#me-totp-qr svg').waitFor();
  const key = await page.locator('#me-totp-key').inputValue();
  assert.match(key, /^[A-Z2-7]{32}$/);
  await shot(page, '06-totp-key');
  await page.getByRole('button', { name: 'Turn two-factor on' }).click();
  await page.locator('#status', { hasText: 'Two-factor is on' }).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  // Whoever uses this tab next does not find the key in the page.
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.equal(await page.locator('#me-totp-key').inputValue(), '');
  assert.equal(await page.locator('#me-totp-qr svg').count(), 0);
  assert.ok(!(await page.content()).includes(key));
  await page.locator('#login-password').fill(ADMIN_PW);
  await page.locator('#login-username').fill(ADMIN);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#login-form-error', { hasText: 'Enter the code from your authenticator app. (E005008)' }).waitFor();
  await page.locator('#login-password').fill(ADMIN_PW);
  await page.locator('#login-totp').fill(await freshTotp(key));
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#who', { hasText: 'Logged in as admin' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('sessions with history, renew; the audit panel streams records without secrets', async () => {
  const { page, context, errors } = await open();
  await firstRun(page);
  await page.getByRole('button', { name: 'My sessions' }).click();
  await page.getByRole('button', { name: 'Renew this session' }).click();
  await page.locator('#sessions-list', { hasText: '2. renew' }).waitFor();
  await page.getByRole('button', { name: 'Audit log' }).click();
  const log = await page.locator('#audit-list').innerText();
  assert.match(log, /user\.login/);
  assert.match(log, /session\.renew/);
  assert.ok(!log.includes(ADMIN_PW));
  await shot(page, '07-audit');
  assert.deepEqual(errors, []);
  await context.close();
});

test('odd input never throws: empty, a megabyte, control characters; 375 px wide', async () => {
  const { page, context, errors } = await open({ width: 375 });
  await firstRun(page);
  await page.getByText('Create a user').click();
  for (const [value, expect] of [['', 'E001001'], ['x'.repeat(1 << 20), 'E001003'], ['a b c', 'E001004'], ['a\u0000b', 'E001001']]) {
    await page.locator('#create-username').fill(value);
    await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
    await page.locator('#create-username-error', { hasText: expect }).waitFor();
  }
  await page.locator('#search-value').fill('x'.repeat(100_000));
  await page.getByRole('button', { name: 'Search' }).click();
  await page.locator('#search-form-error', { hasText: 'E008002' }).waitFor();
  await shot(page, '08-narrow-errors');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 380, `no horizontal scroll at 375 px (${width})`);
  assert.deepEqual(errors, []);
  await context.close();
});

/** Form controls and buttons in the document with no accessible name (label, aria or text). */
function unnamedControls(page) {
  return page.evaluate(() => [...document.querySelectorAll('input, select, textarea, button')]
    .filter((el) => el.type !== 'hidden')
    .filter((el) => !(el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || (el.tagName === 'BUTTON' && el.textContent.trim())))
    .map((el) => el.outerHTML.slice(0, 120)));
}

test('accessible and keyboard-only: every control is named; first run and login with Tab and Enter', async () => {
  const { page, context, errors } = await open();
  await page.getByRole('heading', { name: 'Create the super-user' }).waitFor();
  // Every control of every view is in the document (hidden views included): one check covers all.
  assert.deepEqual(await unnamedControls(page), []);
  // First run with the keyboard alone: focus the first field, type, Tab, type, Enter.
  await page.locator('#setup-username').focus();
  await page.keyboard.type(ADMIN);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'setup-password');
  await page.keyboard.type(ADMIN_PW);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.locator('#login-username').focus();
  await page.keyboard.press('Control+A'); // the console fills in the name just created
  await page.keyboard.type(ADMIN);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-password');
  await page.keyboard.type(ADMIN_PW);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  assert.deepEqual(await unnamedControls(page), [], 'controls added after login (the users table) are named too');
  await shot(page, '10-keyboard');
  assert.deepEqual(errors, []);
  await context.close();
});

test('a static root does not reach a sibling folder whose name starts like it', async () => {
  const dir = mkdtempSync(resolve(tmpdir(), 'edge-sso-static-'));
  mkdirSync(resolve(dir, 'www'));
  mkdirSync(resolve(dir, 'wwwdata'));
  writeFileSync(resolve(dir, 'www', 'index.html'), 'page');
  writeFileSync(resolve(dir, 'wwwdata', 'secret.txt'), 'secret');
  const s = staticServer(resolve(dir, 'www'));
  await new Promise((r) => s.listen(0, '127.0.0.1', r));
  const status = (path) => new Promise((ok, fail) => {
    get({ host: '127.0.0.1', port: s.address().port, path }, (r) => { r.resume(); ok(r.statusCode); }).on('error', fail);
  });
  try {
    assert.equal(await status('/index.html'), 200);
    assert.equal(await status('/..%2fwwwdata/secret.txt'), 404);
    assert.equal(await status('/../wwwdata/secret.txt'), 404);
  } finally {
    s.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the console server hands out www/ and pkg/ only, whatever the path says', async () => {
  // node:http sends the path as written (fetch would resolve the dots first).
  const status = (path) => new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port: server.address().port, path }, (r) => { r.resume(); resolve(r.statusCode); }).on('error', reject);
  });
  assert.equal(await status('/pkg/entrypoints/browser.js'), 200);
  assert.equal(await status('/index.html'), 200);
  for (const path of ['/pkg/../Cargo.toml', '/pkg/%2e%2e/Cargo.toml', '/pkg/..%2fCargo.toml', '/../Cargo.toml', '/%2e%2e/.demo/worker-secrets.json', '/pkg/../.demo/worker-secrets.json']) {
    assert.equal(await status(path), 404, path);
  }
});

test('the REST switch: the console drives the example worker on workerd', async () => {
  const mf = exampleWorker({ SSO_STORE: 'kv', SSO_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'), SSO_ADMIN_USERNAME: 'root',
    SSO_ADMIN_PASSWORD: 'worker root passphrase', SSO_CONFIG: JSON.stringify({ argon2: { m_cost: 1024, t_cost: 1 } }) });
  const rest = consoleServer(root, viaMiniflare(mf));
  await new Promise((r) => rest.listen(0, '127.0.0.1', r));
  const restBase = `http://127.0.0.1:${rest.address().port}/`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  try {
    await page.goto(restBase);
    await page.locator('#mode').selectOption('rest');
    await page.locator('#rest-url').fill(restBase);
    await page.getByRole('button', { name: 'Use', exact: true }).click();
    await page.getByRole('heading', { name: 'Log in' }).waitFor();
    await page.locator('#login-username').fill('root');
    await page.locator('#login-password').fill('worker root passphrase');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.locator('#who', { hasText: 'Logged in as root (super-user)' }).waitFor();
    await page.getByText('Create a user').click();
    await page.locator('#create-username').fill('bob');
    await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
    await page.getByRole('button', { name: 'Open bob' }).waitFor();
    await page.getByRole('button', { name: 'Open bob' }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#detail-fields [data-field=approval_status]', { hasText: 'approved' }).waitFor();
    await shot(page, '09-rest-mode');
    assert.deepEqual(errors, []);
    // The console's GETs (user, search) carried the UST as a bearer token, not in the URL.
    assert.ok(urls.some((u) => u.includes('/zato/sso/user/search')), urls.join('\n'));
    assert.deepEqual(urls.filter((u) => /[?&](ust|current_ust)=/.test(u)), []);
  } finally {
    await context.close();
    rest.close();
    await mf.dispose();
  }
});
