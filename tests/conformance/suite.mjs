// One conformance suite for every store adapter (the Store shape of DESIGN.md): run with
// node:test, Deno.test, or any runner of the same shape.
import assert from 'node:assert/strict';

/**
 * @param {(name: string, fn: () => Promise<void>) => void} test
 * @param {string} name
 * @param {() => Promise<{ store: object, advance?: (ms: number) => void }>} make  a fresh, empty store;
 *        `advance` moves the store's clock (omit it where TTLs cannot be tested fast)
 * @param {{ atomic?: boolean }} opts  atomic: putIfAbsent is atomic under concurrency
 */
export function conformance(test, name, make, { atomic = true } = {}) {
  test(`${name}: get, put, overwrite, delete`, async () => {
    const { store } = await make();
    assert.equal(await store.get('k'), null);
    await store.put('k', 'v1');
    assert.equal(await store.get('k'), 'v1');
    await store.put('k', 'v2');
    assert.equal(await store.get('k'), 'v2');
    await store.delete('k');
    assert.equal(await store.get('k'), null);
    await store.delete('never-there');
    await store.put('ünïcødé/ключ', '値 🔑');
    assert.equal(await store.get('ünïcødé/ключ'), '値 🔑');
    // Deno KV takes values up to 64 KiB; edge-sso's records stay well below.
    const big = 'x'.repeat(60_000);
    await store.put('big', big);
    assert.equal(await store.get('big'), big);
  });

  test(`${name}: list by prefix, sorted, with cursor paging`, async () => {
    const { store } = await make();
    for (const k of ['a/3', 'a/1', 'b/1', 'a/2', 'a/10', 'ab']) await store.put(k, 'x');
    const all = await store.list({ prefix: 'a/' });
    assert.deepEqual(all.keys.map((k) => k.name), ['a/1', 'a/10', 'a/2', 'a/3']);
    assert.equal(all.list_complete, true);
    const seen = [];
    let cursor;
    for (let i = 0; i < 10; i++) {
      const page = await store.list({ prefix: 'a/', cursor, limit: 3 });
      seen.push(...page.keys.map((k) => k.name));
      if (page.list_complete) break;
      assert.ok(page.cursor);
      cursor = page.cursor;
    }
    assert.deepEqual(seen, ['a/1', 'a/10', 'a/2', 'a/3']);
    assert.deepEqual((await store.list({ prefix: 'zzz' })).keys, []);
  });

  test(`${name}: putIfAbsent`, async (t) => {
    const { store } = await make();
    if (!store.putIfAbsent) return t?.skip?.('this backend has no atomic create');
    assert.equal(await store.putIfAbsent('u', '1'), true);
    assert.equal(await store.putIfAbsent('u', '2'), false);
    assert.equal(await store.get('u'), '1');
    if (atomic) {
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => store.putIfAbsent('race', String(i))));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal(await store.get('race'), String(results.indexOf(true)));
    }
  });

  test(`${name}: TTL expiry`, async (t) => {
    const { store, advance } = await make();
    if (!advance) return t?.skip?.('this backend\'s clock cannot be moved') ;
    await store.put('t', 'x', { expirationTtl: 60 });
    await store.put('keep', 'y');
    advance(59_000);
    assert.equal(await store.get('t'), 'x');
    advance(2_000);
    assert.equal(await store.get('t'), null);
    assert.deepEqual((await store.list({ prefix: '' })).keys.map((k) => k.name), ['keep']);
    assert.equal(await store.putIfAbsent('t', 'again', { expirationTtl: 60 }), true);
    assert.equal(await store.get('t'), 'again');
  });

  test(`${name}: expired keys inside a page neither end the listing early nor stay listed`, async (t) => {
    const { store, advance } = await make();
    if (!advance) return t?.skip?.('this backend\'s clock cannot be moved');
    for (const k of ['p/1', 'p/2', 'p/3', 'p/4', 'p/5', 'p/6', 'p/7']) {
      await store.put(k, 'x', ['p/2', 'p/3', 'p/4', 'p/6'].includes(k) ? { expirationTtl: 60 } : undefined);
    }
    advance(61_000);
    const seen = [];
    let cursor;
    for (let i = 0; i < 10; i++) {
      const page = await store.list({ prefix: 'p/', cursor, limit: 2 });
      assert.ok(page.keys.length <= 2);
      seen.push(...page.keys.map((k) => k.name));
      if (page.list_complete) break;
      cursor = page.cursor;
    }
    assert.deepEqual(seen, ['p/1', 'p/5', 'p/7']);
    assert.deepEqual((await store.list({ prefix: 'p/' })).keys.map((k) => k.name), ['p/1', 'p/5', 'p/7']);
  });
}
