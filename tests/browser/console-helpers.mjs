// Shared by the console's Chromium tests: the browser, fresh profiles with console errors
// collected, axe-core, screenshots at 1280 and 375 px in light and dark mode.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './static-server.mjs';

export const root = resolve(import.meta.dirname, '../..');
export const shots = resolve(import.meta.dirname, 'screenshots');
mkdirSync(shots, { recursive: true });
const AXE = resolve(root, 'node_modules/axe-core/axe.min.js');

export const launch = () => chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });

/** A fresh profile (empty storage) at `url`, with console errors and failed requests collected. */
export async function open(browser, url, { width = 1280, colorScheme = 'light' } = {}) {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme, acceptDownloads: true });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  return { page, context, errors };
}

/** axe-core on the page as it is: serious and critical violations, as readable strings. */
export async function axe(page) {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')} ${n.failureSummary?.split('\n')[1] ?? ''}`).join(' | ')}`));
  return violations;
}

export async function assertAccessible(page, what) {
  assert.deepEqual(await axe(page), [], `axe-core, ${what}`);
}

/** Screenshots of the page at 1280 and 375 px, light and dark; axe-core at 1280 light and 375 dark. */
export async function shootAll(page, name) {
  const size = page.viewportSize();
  // The view, not the last toast over it.
  await page.evaluate(() => document.querySelector('#status')?.classList.remove('shown'));
  for (const scheme of ['light', 'dark']) {
    await page.emulateMedia({ colorScheme: scheme });
    for (const width of [1280, 375]) {
      await page.setViewportSize({ width, height: 900 });
      await page.screenshot({ path: resolve(shots, `${name}-${width}-${scheme}.png`), fullPage: true });
      // Colours depend on the scheme, layout on the width: two of the four cover both.
      if ((scheme === 'light') === (width === 1280)) await assertAccessible(page, `${name} at ${width} px, ${scheme}`);
      if (width === 375) {
        const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(scroll <= 380, `${name}: no horizontal scroll at 375 px (${scroll})`);
      }
    }
  }
  await page.emulateMedia({ colorScheme: 'light' });
  await page.setViewportSize(size);
}

export async function login(page, username, password) {
  await page.getByRole('heading', { name: 'Log in' }).waitFor();
  await page.locator('#login-username').fill(username);
  await page.locator('#login-password').fill(password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.locator('#who', { hasText: `Logged in as ${username}` }).waitFor();
}

/** Creates a user through the form and waits for the list to show them. */
export async function createUser(page, { username, password = 'a long passphrase 1', display = '', email = '', approve = true, mustChange = false }) {
  if (!(await page.locator('#create-box').evaluate((d) => d.open))) await page.getByText('Create a user').click();
  await page.locator('#create-username').fill(username);
  await page.locator('#create-password').fill(password);
  await page.locator('#create-display').fill(display);
  await page.locator('#create-email').fill(email);
  await page.locator('#create-form [name=approve]').setChecked(approve);
  await page.locator('#create-form [name=password_must_change]').setChecked(mustChange);
  await page.locator('#create-form').getByRole('button', { name: 'Create' }).click();
  await page.locator('#status', { hasText: username }).waitFor();
}
