// Chromium: the package's Argon2id hash, made in the page, verifies with @node-rs/argon2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as reference from '@node-rs/argon2';
import { repoInChromium } from './repo-in-chromium.mjs';
import { PASSWORD } from '../argon2id/phc-from-package.mjs';

const { browser, base } = await repoInChromium();

test('Chromium: the stored Argon2id hash verifies with @node-rs/argon2', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/tests/browser/argon2id.html`);
  await page.waitForFunction(() => window.phc, null, { timeout: 30_000 });
  const phc = await page.evaluate(() => window.phc);
  assert.deepEqual(errors, []);
  assert.match(phc, /^\$argon2id\$v=19\$m=1024,t=2,p=2\$/);
  assert.equal(await reference.verify(phc, PASSWORD), true);
  assert.equal(await reference.verify(phc, `${PASSWORD}!`), false);
});
