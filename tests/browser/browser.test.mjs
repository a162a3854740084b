// The package in real Chromium (Debian's, driven by playwright-core): the "browser" entry
// loads the wasm, IndexedDB is the store, a user is created and logs in, no console error; and
// the store conformance suite passes on the browser's own IndexedDB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoInChromium } from './repo-in-chromium.mjs';

const shots = resolve(import.meta.dirname, 'screenshots');
mkdirSync(shots, { recursive: true });

const { browser, base } = await repoInChromium();

test('Chromium: create a user and log in, in the page, on IndexedDB', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/tests/browser/package-smoke.html`);
  await page.waitForFunction(() => window.smoke, null, { timeout: 30_000 });
  const smoke = await page.evaluate(() => window.smoke);
  await page.screenshot({ path: resolve(shots, 'package-smoke.png'), fullPage: true });
  assert.match(smoke.created, /^zusr/);
  assert.equal(smoke.me.username, 'jo');
  assert.equal(smoke.me.display_name, 'Jo');
  assert.deepEqual(smoke.wrong, ['E005001']);
  assert.deepEqual(errors, []);
});

test('Chromium: IndexedDbStore passes the store conformance suite on real IndexedDB', async () => {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${base}/tests/browser/conformance.html`);
  await page.waitForFunction(() => window.conformance, null, { timeout: 60_000 });
  const results = await page.evaluate(() => window.conformance);
  await page.screenshot({ path: resolve(shots, 'conformance.png'), fullPage: true });
  assert.deepEqual(errors, []);
  // Every case of the suite ran (none skipped: IndexedDB has an atomic create, getMany and commit,
  // and a movable clock).
  assert.deepEqual(results.map((r) => r.name.replace(/^IndexedDbStore \(Chromium\): /, '')), ['get, put, overwrite, delete', 'list by prefix, sorted, with cursor paging', 'putIfAbsent', 'TTL expiry',
    'expired keys inside a page neither end the listing early nor stay listed',
    'getMany: in order, null for missing and expired keys, duplicates, empty',
    'commit: every check holds -> true, every put and delete applied', 'commit: one failing check -> false, nothing written',
    'commit: an expired key is absent to a check', 'getMany and commit refuse bad arguments with a TypeError, writing nothing',
    'commit under concurrency: 100 increments, one create']);
  for (const r of results) {
    assert.equal(r.skipped, undefined, `${r.name} was skipped: ${r.skipped}`);
    assert.ok(r.ok, `${r.name}: ${r.error}`);
  }
});
