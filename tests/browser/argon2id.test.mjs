// Chromium: the package's Argon2id hash, made in the page, verifies with @node-rs/argon2.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import * as reference from '@node-rs/argon2';
import { staticServer, CHROMIUM_ARGS } from './static-server.mjs';
import { PASSWORD } from '../argon2id/phc-from-package.mjs';

const server = staticServer(resolve(import.meta.dirname, '../..'));
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
after(async () => {
  await browser.close();
  server.close();
});

test('Chromium: the stored Argon2id hash verifies with @node-rs/argon2', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`http://127.0.0.1:${server.address().port}/tests/browser/argon2id.html`);
  await page.waitForFunction(() => window.phc, null, { timeout: 30_000 });
  const phc = await page.evaluate(() => window.phc);
  assert.deepEqual(errors, []);
  assert.match(phc, /^\$argon2id\$v=19\$m=1024,t=2,p=2\$/);
  assert.equal(await reference.verify(phc, PASSWORD), true);
  assert.equal(await reference.verify(phc, `${PASSWORD}!`), false);
});
