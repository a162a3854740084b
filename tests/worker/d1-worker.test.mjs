// The example worker (.build/worker, bundled by wrangler) in its D1 mode (SSO_STORE "d1", the D1
// binding DB) on workerd through miniflare: the REST suite over HTTP requests, with an atomic
// store, and the cron trigger's cleanup emptying expired rows from the D1 table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exampleWorkerForRestSuite, ADMIN as admin, callJson } from './example-worker-rest.mjs';
import { restSuite } from '../rest/suite.mjs';

const { mf, client } = exampleWorkerForRestSuite('d1', { d1Databases: ['DB'] });
restSuite((name, fn) => test(`[workerd, d1] ${name}`, fn), { ...client, atomicStore: true });

/** The attribute rows of the D1 table, read beside the worker. */
async function attributeRows() {
  const db = await mf.getD1Database('DB');
  const { results } = await db.prepare("SELECT k FROM edge_sso WHERE k >= 'sso/attr/' AND k < 'sso/attr0' ORDER BY k").all();
  return results.map((r) => r.k);
}

test('[workerd, d1] the store is the D1 table edge_sso', async () => {
  const db = await mf.getD1Database('DB');
  const { n } = await db.prepare('SELECT count(*) AS n FROM edge_sso').first();
  assert.ok(n > 0, 'the super-user and the suite\'s records are rows of edge_sso');
});

test('[workerd, d1] the cron trigger runs cleanup: an expired attribute leaves the table', async () => {
  const call = callJson(client.send);
  const { ust } = await call('POST', '/user/login', admin);
  const { user_id } = await call('GET', '/user', { ust });
  const before = new Set(await attributeRows());
  const created = await call('POST', '/user/attr', { ust, user_id, name: 'cron-d1', value: 'short lived', expiration: 1 });
  assert.equal(created.status, 'ok', JSON.stringify(created));
  const added = (await attributeRows()).filter((k) => !before.has(k));
  assert.equal(added.length, 1, 'the attribute is one row');
  await new Promise((r) => setTimeout(r, 1100));
  assert.ok((await attributeRows()).includes(added[0]), 'the expired attribute stays until cleanup');
  await (await mf.getWorker()).scheduled({ cron: '*/15 * * * *' });
  // scheduled's waitUntil: the cleanup may finish just after.
  for (let i = 0; i < 100 && (await attributeRows()).includes(added[0]); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(!(await attributeRows()).includes(added[0]), 'cleanup deleted the expired attribute');
});
