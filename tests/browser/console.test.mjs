// The admin console (www/) in Debian's Chromium: the whole library in the page over IndexedDB.
// Each bug of issue 14 has a test here that fails without its fix (named "bug: …").
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { get } from 'node:http';
import { resolve } from 'node:path';
import { freshTotp } from '../rest/suite.mjs';
import { consoleServer, staticServer } from './static-server.mjs';
import { root, launch, open, assertAccessible, shootAll, login, createUser } from './console-helpers.mjs';

const server = consoleServer(root);
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;
let browser;
before(async () => { browser = await launch(); });
after(async () => {
  await browser.close();
  server.close();
});

const ADMIN = 'admin';
const ADMIN_PW = 'console admin passphrase';

async function firstRun(page) {
  await page.getByRole('heading', { name: 'Create the super-user' }).waitFor();
  await page.locator('#setup-username').fill(ADMIN);
  await page.locator('#setup-password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Create super-user' }).click();
  await login(page, ADMIN, ADMIN_PW);
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
}

const userCount = (page) => page.locator('#users-table tbody tr').count();

test('first run: the policy is stated up front, its error shows next to the password, then the super-user logs in', async () => {
  const { page, context, errors } = await open(browser, base);
  await page.getByRole('heading', { name: 'Create the super-user' }).waitFor();
  await shootAll(page, 'console-first-run');
  assert.match(await page.locator('label[for=setup-password]').innerText(), /at least 8 characters, not containing a common password such as .*"password"/);
  await page.locator('#setup-username').fill(ADMIN);
  await page.locator('#setup-password').fill('short');
  await page.getByRole('button', { name: 'Create super-user' }).click();
  await page.locator('#setup-password-error', { hasText: 'That password is too short. (E003002)' }).waitFor();
  await page.locator('#setup-password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Create super-user' }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await shootAll(page, 'console-login');
  await page.locator('#login-password').fill('wrong password');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#login-form-error', { hasText: 'check the username and password. (E005001)' }).waitFor();
  await login(page, ADMIN, ADMIN_PW);
  assert.equal(new URL(page.url()).hash, '#/users');
  assert.deepEqual(errors, []);
  await context.close();
});

test('bug: a double click on Create creates the user once and shows no "taken" error', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await page.getByText('Create a user').click();
  await page.locator('#create-username').fill('doubleclick');
  await page.locator('#create-password').fill('a long passphrase 1');
  const button = page.locator('#create-form').getByRole('button', { name: 'Create' });
  await button.dblclick();
  await page.getByRole('link', { name: 'doubleclick' }).waitFor();
  await page.locator('#status', { hasText: 'doubleclick' }).waitFor();
  assert.equal(await page.locator('#create-username-error').innerText(), '');
  assert.equal(await page.getByRole('link', { name: 'doubleclick' }).count(), 1);
  // While a request is in flight the button is disabled and marked busy.
  await page.locator('#create-username').fill('slowcreate');
  const busy = page.evaluate(() => new Promise((ok) => {
    const b = document.querySelector('#create-form button[type=submit]');
    new MutationObserver(() => { if (b.disabled && b.getAttribute('aria-busy') === 'true') ok(true); }).observe(b, { attributes: true });
  }));
  await button.click();
  assert.equal(await busy, true);
  await page.getByRole('link', { name: 'slowcreate' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('bug: a right-to-left override and long names are neutralised and truncated with a tooltip', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await createUser(page, { username: 'mallory', display: '\u202Eevil' });
  await createUser(page, { username: 'longname', display: 'x'.repeat(300) });
  const mallory = page.locator('#users-table tbody tr', { hasText: 'mallory' });
  const shown = await mallory.locator('td').nth(2).innerText();
  assert.equal(shown, '[U+202E]evil', 'the override is shown as a code point, not obeyed');
  assert.ok(!(await page.locator('#users-table').innerText()).includes('\u202E'));
  const wrap = await page.locator('.table-wrap').first().evaluate((w) => [w.scrollWidth, w.clientWidth]);
  assert.ok(wrap[0] <= wrap[1], `the long name does not push columns off the table (${wrap})`);
  const long = page.locator('#users-table tbody tr', { hasText: 'longname' }).locator('td').nth(2).locator('.clip');
  assert.equal(await long.getAttribute('title'), 'x'.repeat(300));
  assert.ok(await long.evaluate((e) => e.scrollWidth > e.clientWidth), 'the cell is cut with an ellipsis');
  // The detail page shows the same neutral text.
  await page.getByRole('link', { name: 'mallory' }).click();
  await page.locator('#detail-fields [data-field=display_name]', { hasText: '[U+202E]evil' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('bug: email search is not offered where the config does not allow it (in-page: emails are sealed)', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  assert.doesNotMatch(await page.locator('#search-q').getAttribute('placeholder'), /email/);
  await page.locator('#search-help', { hasText: 'Email search is off' }).waitFor();
  await page.locator('#search-q').fill('someone@example.com');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#users-empty', { hasText: 'No user matches "someone@example.com"' }).waitFor();
  assert.equal(await page.locator('#search-form-error').innerText(), '', 'no E008002');
  assert.deepEqual(errors, []);
  await context.close();
});

test('bug: the new-password field appears only when the password must change, and then it is used', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await createUser(page, { username: 'carol', password: 'carol first passphrase', mustChange: true });
  await page.locator('#logout').click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.equal(await page.locator('#login-new-password').isVisible(), false, 'nothing to type a new password into when none is required');
  await page.locator('#login-username').fill('carol');
  await page.locator('#login-password').fill('carol first passphrase');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#login-password-error', { hasText: 'E003007' }).waitFor();
  assert.equal(await page.locator('#login-new-password').isVisible(), true);
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-new-password');
  await page.locator('#login-password').fill('carol first passphrase');
  await page.locator('#login-new-password').fill('carol second passphrase');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#who', { hasText: 'Logged in as carol' }).waitFor();
  await page.locator('#status', { hasText: 'new password' }).waitFor();
  // A regular user sees their account, not the user list.
  assert.equal(new URL(page.url()).hash, '#/me');
  assert.equal(await page.getByRole('link', { name: 'Users' }).isVisible(), false);
  await page.locator('#logout').click();
  await login(page, 'carol', 'carol second passphrase');
  assert.deepEqual(errors, []);
  await context.close();
});

test('bug: the console does not offer lock, reject or delete of one\'s own account, alone or in bulk', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await page.getByRole('link', { name: ADMIN, exact: true }).click();
  await page.locator('#detail-self-note', { hasText: 'your own account' }).waitFor();
  for (const name of ['Lock', 'Reject', 'Delete', 'Require password change']) {
    assert.equal(await page.locator('#view-user').getByRole('button', { name, exact: true }).isVisible(), false, name);
  }
  await page.goBack();
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  assert.equal(await page.getByRole('checkbox', { name: `Select ${ADMIN}` }).isDisabled(), true);
  await page.locator('#select-all').check();
  assert.equal(await page.locator('#bulk-bar').isVisible(), false, 'select-all on a page holding only oneself selects no one');
  assert.deepEqual(errors, []);
  await context.close();
});

test('bug: two-factor turns on only with a code from the key shown; the next login asks for it', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await page.getByRole('link', { name: 'My account' }).click();
  await page.locator('#me-totp-state', { hasText: 'Two-factor is off' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /turn on/i }).count(), 0, 'no way to turn it on without a key');
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  await page.locator('#me-totp-qr svg').waitFor();
  const key = await page.locator('#me-totp-key').inputValue();
  assert.match(key, /^[A-Z2-7]{32}$/);
  await shootAll(page, 'console-totp-enrol');
  await page.locator('#me-totp-code').fill('000000');
  await page.getByRole('button', { name: 'Confirm and turn on' }).click();
  await page.locator('#me-totp-code-error', { hasText: 'does not match' }).waitFor();
  await page.reload();
  await page.locator('#me-totp-state', { hasText: 'Two-factor is off' }).waitFor();
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  await page.locator('#me-totp-qr svg').waitFor();
  const key2 = await page.locator('#me-totp-key').inputValue();
  await page.locator('#me-totp-code').fill(await freshTotp(key2));
  await page.getByRole('button', { name: 'Confirm and turn on' }).click();
  await page.locator('#me-totp-state', { hasText: 'Two-factor is on' }).waitFor();
  await page.locator('#logout').click();
  // Whoever uses this tab next does not find the key in the page.
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.equal(await page.locator('#me-totp-key').inputValue(), '');
  assert.ok(!(await page.content()).includes(key2));
  await page.locator('#login-username').fill(ADMIN);
  await page.locator('#login-password').fill(ADMIN_PW);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#login-totp-error', { hasText: 'Enter the current code from your authenticator app. (E005008)' }).waitFor();
  await page.locator('#login-totp').fill('000000');
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#login-form-error', { hasText: 'the code is not right' }).waitFor();
  await page.locator('#login-totp').fill(await freshTotp(key2));
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#who', { hasText: 'Logged in as admin' }).waitFor();
  // Off needs a current code.
  await page.getByRole('link', { name: 'My account' }).click();
  await page.getByRole('button', { name: 'Turn two-factor off' }).click();
  await page.locator('#me-totp-off-code').fill('000000');
  await page.getByRole('button', { name: 'Turn off', exact: true }).click();
  await page.locator('#me-totp-off-error', { hasText: 'does not match' }).waitFor();
  await page.locator('#me-totp-off-code').fill(await freshTotp(key2));
  await page.getByRole('button', { name: 'Turn off', exact: true }).click();
  await page.locator('#me-totp-state', { hasText: 'Two-factor is off' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('bug: sessions and the audit log are readable tables (this session marked, local times, reads hidden)', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await page.getByRole('link', { name: 'My sessions' }).click();
  await page.getByRole('button', { name: 'Renew this session' }).click();
  await page.locator('#status', { hasText: 'Session renewed until' }).waitFor();
  // The toast appears next to the button that was used.
  const [button, toastBox] = await Promise.all([page.locator('#renew').boundingBox(), page.locator('#status').boundingBox()]);
  assert.ok(toastBox.y >= button.y + button.height && toastBox.y - (button.y + button.height) < 40, JSON.stringify({ button, toastBox }));
  const current = page.locator('#sessions-table tr.current');
  await current.locator('.badge', { hasText: 'This session' }).waitFor();
  const started = current.locator('time').first();
  assert.match(await started.getAttribute('title'), /\d{4}-\d\d-\d\dT/, 'the exact time on hover');
  assert.match(await current.innerText(), /HeadlessChrome|Chrome/);
  await shootAll(page, 'console-sessions');
  await page.getByRole('link', { name: 'Audit log' }).click();
  const log = page.locator('#audit-table');
  await log.locator('td', { hasText: 'renew session' }).waitFor();
  const text = await log.innerText();
  assert.ok(!text.includes('{'), 'no raw JSON');
  assert.ok(!text.includes(ADMIN_PW));
  assert.ok(!text.includes('read own account'), 'reads are hidden by default');
  await page.locator('#audit-reads').check();
  await log.locator('td', { hasText: 'read own account' }).first().waitFor();
  await page.locator('#audit-op').selectOption('user.login');
  assert.ok((await log.locator('tbody tr').count()) >= 1);
  assert.ok(!(await log.innerText()).includes('renew session'));
  await shootAll(page, 'console-audit');
  await page.locator('#logout').click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.equal(await page.locator('#audit-table tbody tr').count(), 0, 'the audit records leave the page on logout');
  assert.deepEqual(errors, []);
  await context.close();
});

test('contrast: the delete confirmation and every view pass axe-core (0 serious or critical), light and dark, 1280 and 375 px', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await createUser(page, { username: 'dave', display: 'Dave', approve: false });
  await shootAll(page, 'console-users');
  await page.getByRole('link', { name: 'dave' }).click();
  await page.locator('#detail-fields [data-field=approval_status]', { hasText: 'pending approval' }).waitFor();
  await shootAll(page, 'console-user');
  await page.locator('#view-user').getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog').waitFor();
  await shootAll(page, 'console-delete-dialog');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await page.getByRole('link', { name: 'My account' }).click();
  await shootAll(page, 'console-me');
  assert.deepEqual(errors, []);
  await context.close();
});

test('routing: every view has a URL; back and forward work; the user page refreshes after each action and offers only what applies', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await createUser(page, { username: 'erin', display: 'Erin E', approve: false });
  await page.getByRole('link', { name: 'erin' }).click();
  await page.waitForURL(/#\/users\/[^/]+$/);
  const detailUrl = page.url();
  await page.locator('#detail-fields [data-field=approval_status]', { hasText: 'pending approval' }).waitFor();
  const visible = async () => (await page.locator('#view-user [data-action]').evaluateAll((bs) => bs.filter((b) => !b.hidden).map((b) => b.textContent)));
  assert.deepEqual(await visible(), ['Approve', 'Reject', 'Lock', 'Require password change', 'Reset TOTP key', 'Delete']);
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.locator('#detail-fields [data-field=approval_status]', { hasText: 'approved' }).waitFor();
  await page.locator('#detail-fields [data-field=approval_status_mod_by]', { hasText: ADMIN }).waitFor();
  assert.deepEqual(await visible(), ['Reject', 'Lock', 'Require password change', 'Reset TOTP key', 'Delete']);
  await page.getByRole('button', { name: 'Lock', exact: true }).click();
  await page.locator('#detail-fields [data-field=is_locked]', { hasText: 'yes' }).waitFor();
  await page.locator('#detail-fields [data-field=locked_by]', { hasText: ADMIN }).waitFor();
  assert.deepEqual(await visible(), ['Reject', 'Unlock', 'Require password change', 'Reset TOTP key', 'Delete']);
  await page.locator('#detail-badges .badge', { hasText: 'locked' }).waitFor();
  await page.locator('#edit-email').fill('erin-at-example');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#edit-email-error', { hasText: 'does not look like an email' }).waitFor();
  await page.locator('#edit-email').fill('erin@example.com');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('#status', { hasText: 'Saved erin' }).waitFor();
  await page.locator('#detail-fields [data-field=email]', { hasText: 'erin@example.com' }).waitFor();
  const created = page.locator('#detail-fields [data-field=sign_up_time] time');
  assert.match(await created.getAttribute('title'), /\d{4}-\d\d-\d\dT.*Z\)$/);
  await page.getByRole('link', { name: 'My sessions' }).click();
  await page.waitForURL(/#\/sessions$/);
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.waitForURL(/#\/audit$/);
  await page.goBack();
  await page.getByRole('heading', { name: 'My sessions' }).waitFor();
  await page.goBack();
  await page.waitForURL(detailUrl);
  await page.locator('#detail-title', { hasText: 'erin' }).waitFor();
  await page.goForward();
  await page.getByRole('heading', { name: 'My sessions' }).waitFor();
  // A URL typed in (or a reload) opens the same view.
  await page.goto(detailUrl);
  await page.locator('#detail-title', { hasText: 'erin' }).waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('user table: badges, sort, page size, total, status filter, empty state; bulk approve with one confirmation; CSV export', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  for (const n of [3, 1, 2]) await createUser(page, { username: `u${n}`, display: `User ${n}`, approve: false });
  await page.locator('#users-caption', { hasText: '4 users' }).waitFor();
  await page.locator('#users-table tbody tr', { hasText: 'u1' }).locator('.badge', { hasText: 'pending' }).waitFor();
  const names = () => page.locator('#users-table tbody tr td:nth-child(2)').allInnerTexts();
  assert.deepEqual(await names(), ['admin', 'u1', 'u2', 'u3']);
  await page.locator('#users-table th[data-sort=username] button').click();
  await page.waitForURL(/dir=desc/);
  assert.deepEqual(await names(), ['u3', 'u2', 'u1', 'admin']);
  assert.equal(await page.locator('#users-table th[data-sort=username]').getAttribute('aria-sort'), 'descending');
  await page.locator('#page-size').selectOption('10');
  await page.waitForURL(/size=10/);
  await page.locator('#filter-status').selectOption('pending');
  await page.locator('#users-caption', { hasText: '3 of 4 users' }).waitFor();
  // Bulk: select all three, one confirmation, progress, then the list refreshes.
  await page.locator('#select-all').check();
  await page.locator('#bulk-count', { hasText: '3 selected' }).waitFor();
  let dialogs = 0;
  page.on('dialog', () => { dialogs += 1; });
  await page.locator('#bulk-bar').getByRole('button', { name: 'Approve' }).click();
  await page.getByRole('dialog', { name: 'Approve 3 users?' }).waitFor();
  await page.getByRole('dialog').getByRole('button', { name: 'Approve' }).click();
  await page.locator('#status', { hasText: 'Approve: 3 done.' }).waitFor();
  assert.equal(dialogs, 0, 'the page\'s own dialog, once, not a browser confirm per user');
  await page.locator('#users-empty', { hasText: 'No user matches these filters' }).waitFor();
  await page.locator('#filter-status').selectOption('approved');
  await page.locator('#users-caption', { hasText: '4 users' }).waitFor();
  // Search over display names (part of one) and usernames (exact).
  await page.locator('#search-q').fill('user 2');
  await page.keyboard.press('Enter');
  await page.locator('#users-caption', { hasText: /^1 user$/ }).waitFor();
  assert.deepEqual(await names(), ['u2']);
  await page.locator('#search-q').fill('');
  await page.locator('#filter-status').selectOption('');
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#users-caption', { hasText: '4 users' }).waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
  assert.equal(csv[0], 'user_id,username,display_name,email,status,created,last_login');
  assert.equal(csv.length, 5);
  assert.ok(csv.some((l) => l.includes(',u2,User 2,,approved,')), csv.join('\n'));
  assert.deepEqual(errors, []);
  await context.close();
});

test('create: approve now, a generated password shown once with a copy button, the email format checked, E008002 names the field', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await page.getByText('Create a user').click();
  await page.locator('#create-username').fill('frank');
  await page.locator('#create-email').fill('not-an-email');
  await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
  await page.locator('#create-email-error', { hasText: 'does not look like an email' }).waitFor();
  await page.locator('#create-email').fill('frank@example.com');
  await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
  await page.locator('#status', { hasText: 'Created and approved frank' }).waitFor();
  const generated = await page.locator('#generated-password').inputValue();
  assert.ok(generated.length >= 16);
  await page.getByRole('button', { name: 'Copy' }).waitFor();
  // The generated password works: frank can log in with it.
  await page.locator('#users-table tbody tr', { hasText: 'frank' }).locator('.badge', { hasText: 'approved' }).waitFor();
  await page.locator('#create-username').fill('grace');
  await page.locator('#create-password').fill('my password is long');
  await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
  await page.locator('#create-password-error', { hasText: 'It contains "password"' }).waitFor();
  await page.locator('#search-q').fill('y'.repeat(100_000));
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.locator('#search-form-error', { hasText: 'Some input was not accepted: username is too long (E008002)' }).waitFor();
  await page.locator('#logout').click();
  await login(page, 'frank', generated);
  assert.deepEqual(errors, []);
  await context.close();
});

test('keyboard only: log in, "/" focuses the search, open a user, act, all without the mouse', async () => {
  const { page, context, errors } = await open(browser, base);
  await page.getByRole('heading', { name: 'Create the super-user' }).waitFor();
  await page.locator('#setup-username').focus();
  await page.keyboard.type(ADMIN);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'setup-password');
  await page.keyboard.type(ADMIN_PW);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'login-password');
  await page.keyboard.type(ADMIN_PW);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Users', exact: true }).waitFor();
  await page.keyboard.press('/');
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-q');
  await page.keyboard.type(ADMIN);
  await page.keyboard.press('Enter');
  await page.locator('#users-caption', { hasText: '1 user' }).waitFor();
  // Tab from the search to the admin's link, then Enter opens it.
  for (let i = 0; i < 40; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(() => document.activeElement?.matches('#users-table a'))) break;
  }
  await page.keyboard.press('Enter');
  await page.locator('#detail-title', { hasText: ADMIN }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'detail-title', 'the new view\'s heading has the focus');
  assert.deepEqual(errors, []);
  await context.close();
});

test('odd input never throws: empty, a megabyte, control characters; 375 px wide', async () => {
  const { page, context, errors } = await open(browser, base, { width: 375 });
  await firstRun(page);
  await page.getByText('Create a user').click();
  for (const [value, expect] of [['', 'E001001'], ['x'.repeat(1 << 20), 'E001003'], ['a b c', 'E001004'], ['a\u0000b', 'E001001']]) {
    await page.locator('#create-username').fill(value);
    await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
    await page.locator('#create-username-error', { hasText: expect }).waitFor();
  }
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 380, `no horizontal scroll at 375 px (${width})`);
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
  const status = (path) => new Promise((ok, fail) => {
    get({ host: '127.0.0.1', port: server.address().port, path }, (r) => { r.resume(); ok(r.statusCode); }).on('error', fail);
  });
  assert.equal(await status('/pkg/entrypoints/browser.js'), 200);
  assert.equal(await status('/index.html'), 200);
  for (const path of ['/pkg/../Cargo.toml', '/pkg/%2e%2e/Cargo.toml', '/pkg/..%2fCargo.toml', '/../Cargo.toml', '/%2e%2e/.demo/worker-secrets.json', '/pkg/../.demo/worker-secrets.json']) {
    assert.equal(await status(path), 404, path);
  }
});

test('a session that ends while the console is open takes it back to the login form, with nothing left in the page', async () => {
  const { page, context, errors } = await open(browser, base);
  await firstRun(page);
  await createUser(page, { username: 'henry', display: 'Henry H' });
  // The session ends elsewhere (another tab logs it out): the next request finds out.
  await page.evaluate(async () => {
    const { state } = await import('/state.js');
    await state.backend.logout(state.ust);
  });
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.locator('#status', { hasText: 'Your session has ended' }).waitFor();
  assert.equal(await page.locator('#users-table tbody tr').count(), 0);
  assert.equal(await page.evaluate(() => sessionStorage.getItem('edge-sso-console-ust')), null);
  assert.deepEqual(errors, []);
  await context.close();
});
