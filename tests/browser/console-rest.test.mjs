// The console in REST mode against the example worker on workerd (miniflare): the flows, email
// search where the server allows it, and a stopped server reported as such.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { exampleWorker } from '../worker/example-worker.mjs';
import { freshTotp } from '../rest/suite.mjs';
import { consoleServer, viaMiniflare } from './static-server.mjs';
import { root, launch, open, assertAccessible, login, createUser } from './console-helpers.mjs';

// Emails in clear text (main.encrypt_email off): this server allows search by email.
const mf = exampleWorker({ SSO_STORE: 'kv', SSO_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'), SSO_ADMIN_USERNAME: 'root',
  SSO_ADMIN_PASSWORD: 'worker root passphrase', SSO_CONFIG: JSON.stringify({ argon2: { m_cost: 1024, t_cost: 1 }, main: { encrypt_email: false } }) });
let browser;
before(async () => { browser = await launch(); });
after(async () => {
  await browser.close();
  await mf.dispose();
});

async function restServer() {
  const server = consoleServer(root, viaMiniflare(mf));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/** The console at `url`, switched to REST mode on the same origin with the mode form. */
async function openRest(url) {
  const opened = await open(browser, url);
  // The console has started (in-page mode: an empty browser asks for a super-user).
  await opened.page.getByRole('heading', { name: 'Create the super-user' }).waitFor();
  await opened.page.locator('#mode').selectOption('rest');
  await opened.page.locator('#rest-url').fill(url);
  await opened.page.getByRole('button', { name: 'Use', exact: true }).click();
  return opened;
}

test('REST mode: log in, create with an email, find by email, approve; the UST never in a URL', async () => {
  const { server, url } = await restServer();
  const { page, context, errors } = await openRest(url);
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  try {
    await login(page, 'root', 'worker root passphrase');
    await page.locator('#users-caption', { hasText: /^1 user$/ }).waitFor();
    assert.match(await page.locator('#search-q').getAttribute('placeholder'), /email/);
    await createUser(page, { username: 'bob', display: 'Bob B', email: 'bob@example.com', approve: false });
    await page.locator('#search-q').fill('bob@example.com');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#users-caption', { hasText: /^1 user$/ }).waitFor();
    await page.locator('#users-table tbody tr', { hasText: 'bob@example.com' }).waitFor();
    await assertAccessible(page, 'REST users');
    await page.getByRole('link', { name: 'bob' }).click();
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.locator('#detail-fields [data-field=approval_status]', { hasText: 'approved' }).waitFor({ timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${e.message}\n${await page.locator('#view-user').innerText()}`);
    });
    await page.locator('#detail-fields [data-field=approval_status_mod_by]', { hasText: 'root' }).waitFor();
    assert.equal(await page.locator('#view-user').getByRole('button', { name: 'Approve' }).isVisible(), false);
    // Without the demo's extension, the audit page says where the trail is not.
    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.locator('#audit-note', { hasText: 'does not offer its audit trail' }).waitFor();
    assert.ok(urls.some((u) => u.includes('/zato/sso/user/search')), urls.join('\n'));
    assert.deepEqual(urls.filter((u) => /[?&](ust|current_ust)=/.test(u)), []);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
    server.close();
  }
});

test('bug: with the server stopped, Search says the server could not be reached (not a storage failure)', async () => {
  const { server, url } = await restServer();
  const { page, context } = await openRest(url);
  try {
    await login(page, 'root', 'worker root passphrase');
    server.close();
    server.closeAllConnections();
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const error = page.locator('#search-form-error');
    await error.filter({ hasText: 'The server could not be reached' }).waitFor({ timeout: 8000 }).catch(async (e) => {
      throw new Error(`${e.message}\n${await page.locator('main').innerText()}`);
    });
    assert.doesNotMatch(await error.innerText(), /storage|E008004/);
  } finally {
    await context.close();
  }
});

test('REST mode: bulk lock with one confirmation, this session marked, two-factor on with a code and off with the password and a code', async () => {
  const { server, url } = await restServer();
  const { page, context, errors } = await openRest(url);
  try {
    await login(page, 'root', 'worker root passphrase');
    await createUser(page, { username: 'r1', display: 'Rest One' });
    await createUser(page, { username: 'r2', display: 'Rest Two' });
    await page.getByRole('checkbox', { name: 'Select r1' }).check();
    await page.getByRole('checkbox', { name: 'Select r2' }).check();
    await page.locator('#bulk-bar').getByRole('button', { name: 'Lock', exact: true }).click();
    await page.getByRole('dialog', { name: 'Lock 2 users?' }).getByRole('button', { name: 'Lock', exact: true }).click();
    await page.locator('#status', { hasText: 'Lock: 2 done.' }).waitFor();
    for (const u of ['r1', 'r2']) await page.locator('#users-table tbody tr', { hasText: u }).locator('.badge', { hasText: 'locked' }).waitFor();
    await page.getByRole('link', { name: 'My sessions' }).click();
    await page.locator('#sessions-table tr.current .badge', { hasText: 'This session' }).waitFor();
    await page.getByRole('link', { name: 'My account' }).click();
    await page.getByRole('button', { name: 'Set up two-factor' }).click();
    await page.locator('#me-totp-qr svg').waitFor();
    const key = await page.locator('#me-totp-key').inputValue();
    await page.locator('#me-totp-code').fill(await freshTotp(key));
    await page.getByRole('button', { name: 'Confirm and turn on' }).click();
    await page.locator('#me-totp-state', { hasText: 'Two-factor is on' }).waitFor();
    await page.getByRole('button', { name: 'Turn two-factor off' }).click();
    // The server does not hand the key back: the password and a code, checked by a login.
    await page.locator('#me-totp-off-password').fill('not the password');
    await page.locator('#me-totp-off-code').fill(await freshTotp(key));
    await page.getByRole('button', { name: 'Turn off', exact: true }).click();
    await page.locator('#me-totp-off-error', { hasText: 'does not match' }).waitFor();
    await page.locator('#me-totp-off-password').fill('worker root passphrase');
    await page.locator('#me-totp-off-code').fill(await freshTotp(key));
    await page.getByRole('button', { name: 'Turn off', exact: true }).click();
    await page.locator('#me-totp-state', { hasText: 'Two-factor is off' }).waitFor();
    // A refused login shows as a failed request in the console: the only errors allowed here.
    assert.deepEqual(errors.filter((e) => !/status of 40[13]/.test(e)), []);
  } finally {
    await context.close();
    server.close();
  }
});

test('REST times (Zato\'s, with no zone) are read as UTC whatever the browser\'s zone', async () => {
  const context = await browser.newContext({ timezoneId: 'America/New_York' });
  const page = await context.newPage();
  const { server, url } = await restServer();
  try {
    await page.goto(url);
    await page.getByRole('heading', { name: 'Create the super-user' }).waitFor();
    const iso = await page.evaluate(async () => (await import('/text.js')).toDate('2026-12-01T13:40:36.806000').toISOString());
    assert.equal(iso, '2026-12-01T13:40:36.806Z');
  } finally {
    await context.close();
    server.close();
  }
});

test('REST mode: the user page lists the user\'s live sessions and revokes one', async () => {
  const { server, url } = await restServer();
  const rest = async (method, path, body, ust) => (await mf.dispatchFetch(`http://sso.test/zato/sso${path}`, {
    method, headers: { 'content-type': 'application/json', ...(ust ? { authorization: `Bearer ${ust}` } : {}) },
    body: method === 'GET' ? undefined : JSON.stringify({ current_app: 'CRM', ...body }),
  })).json();
  const root = (await rest('POST', '/user/login', { username: 'root', password: 'worker root passphrase' })).ust;
  await rest('POST', '/user', { username: 'sam', password: 'sam passphrase 1', auto_approve: true }, root);
  const usts = [];
  for (let i = 0; i < 2; i++) usts.push((await rest('POST', '/user/login', { username: 'sam', password: 'sam passphrase 1' })).ust);
  const { page, context, errors } = await openRest(url);
  try {
    await login(page, 'root', 'worker root passphrase');
    await page.getByRole('link', { name: 'sam' }).click();
    const rows = page.locator('#detail-sessions tbody tr');
    await page.locator('#detail-sessions tbody tr button', { hasText: 'Revoke' }).first().waitFor();
    assert.equal(await rows.count(), 2);
    await page.locator('#detail-sessions tbody tr button', { hasText: 'Revoke' }).first().click();
    await page.locator('#status', { hasText: 'Ended a session of sam' }).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('#detail-sessions tbody tr button').length === 1);
    const alive = [];
    for (const ust of usts) alive.push((await rest('GET', `/user?current_app=CRM`, undefined, ust)).status === 'ok');
    assert.deepEqual(alive.sort(), [false, true]);
    await assertAccessible(page, 'REST user sessions');
    assert.deepEqual(errors.filter((e) => !/status of 40[13]/.test(e)), []);
  } finally {
    await context.close();
    server.close();
  }
});

test('REST mode: the server\'s policy stated up front, CSV export and delete, and no search probe', async () => {
  const { server, url } = await restServer();
  const { page, context, errors } = await openRest(url);
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  try {
    await login(page, 'root', 'worker root passphrase');
    // The policy comes from GET /zato/sso/policy: stated next to the new-password field.
    await page.locator('#create-form .policy', { hasText: 'at least 8 characters' }).waitFor({ state: 'attached' });
    assert.ok(urls.some((u) => u.includes('/zato/sso/policy')));
    assert.equal(urls.some((u) => u.includes('email-search.invalid')), false, 'no probing search');
    // Refused input over REST names the input and its limit (E008002 with the server's details).
    await page.getByText('Create a user').click();
    await page.locator('#create-username').fill('dora');
    await page.locator('#create-password').fill('a long passphrase 1');
    await page.locator('#create-display').fill('d'.repeat(2000));
    await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
    await page.locator('#create-form', { hasText: 'Some input was not accepted: display_name is longer than 1024 characters (E008002)' }).waitFor();
    await createUser(page, { username: 'carl', display: 'Carl C', approve: true });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const { readFileSync } = await import('node:fs');
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\r\n');
    assert.equal(csv[0], 'user_id,username,display_name,email,status,created,last_login');
    assert.ok(csv.some((l) => l.includes(',carl,Carl C,')), csv.join('\n'));
    await page.getByRole('link', { name: 'carl' }).click();
    await page.locator('#view-user').getByRole('button', { name: 'Delete' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/#\/users$/);
    await page.locator('#status', { hasText: 'carl' }).waitFor();
    await page.getByRole('link', { name: 'carl' }).waitFor({ state: 'detached' });
    assert.deepEqual(errors.filter((e) => !/status of 40[13]/.test(e)), []);
  } finally {
    await context.close();
    server.close();
  }
});
