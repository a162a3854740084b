// The repository root served on a loopback port (static-server.mjs) and Chromium (Debian's, or
// $CHROMIUM) launched to load its pages; both closed after the file's tests.
import { after } from 'node:test';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { staticServer, CHROMIUM_ARGS } from './static-server.mjs';

/** `{ browser, base }`: base is the server's http://127.0.0.1:PORT. */
export async function repoInChromium() {
  const server = staticServer(resolve(import.meta.dirname, '../..'));
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
  after(async () => {
    await browser.close();
    server.close();
  });
  return { browser, base: `http://127.0.0.1:${server.address().port}` };
}
