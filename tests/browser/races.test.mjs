// The race suite (tests/races/cases.mjs) in real Chromium (Debian's, driven by playwright-core):
// the package's browser entry in a page, IndexedDbStore on the browser's own IndexedDB, every
// case's concurrent calls inside the page. RACES_LIVENESS=1 adds the opt-in liveness cases.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { repoInChromium } from './repo-in-chromium.mjs';

const { browser, base } = await repoInChromium();

const page = await browser.newPage();
const errors = [];
page.on('pageerror', (e) => errors.push(String(e)));
await page.goto(`${base}/tests/browser/races.html${process.env.RACES_LIVENESS === '1' ? '?liveness=1' : ''}`);
await page.waitForFunction(() => window.races, null, { timeout: 120_000 });
const results = await page.evaluate(() => window.races);

test('Chromium: the race suite ran in the page, with no page error', () => {
  assert.deepEqual(errors, []);
  assert.ok(results.length >= 17, `${results.length} cases`);
});

for (const r of results) {
  test(r.name, (t) => {
    t.diagnostic(`${r.ms} ms in the page`);
    assert.ok(r.ok, r.error);
  });
}
