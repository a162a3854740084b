// One conformance suite for every store adapter (the store protocol of ARCHITECTURE.md): run with
// node:test, Deno.test, or any runner of the same shape.
import assert from 'node:assert/strict';

/**
 * @param {(name: string, fn: () => Promise<void>) => void} test
 * @param {string} name
 * @param {() => Promise<{ store: object, advance?: (ms: number) => void }>} make  a fresh, empty store;
 *        `advance` moves the store's clock (omit it where TTLs cannot be tested fast)
 * @param {{ atomic?: boolean }} opts  atomic: putIfAbsent and commit are atomic under concurrency
 *
 * Store protocol v2 (`getMany`, `commit`) is optional: its cases skip where the store lacks the
 * method, as the putIfAbsent case does.
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

  test(`${name}: getMany: in order, null for missing and expired keys, duplicates, empty`, async (t) => {
    const { store, advance } = await make();
    if (!store.getMany) return t?.skip?.('this backend has no getMany');
    assert.deepEqual(await store.getMany([]), []);
    await store.put('a', '1');
    await store.put('b', '2');
    await store.put('empty', '');
    assert.deepEqual(await store.getMany(['b', 'missing', 'a']), ['2', null, '1']);
    assert.deepEqual(await store.getMany(['a', 'missing', 'a', 'missing', 'b', 'a']), ['1', null, '1', null, '2', '1']);
    assert.deepEqual(await store.getMany(['empty', 'missing']), ['', null]);
    // More keys than one backend call reads (Deno KV: 10, Durable Objects: 128).
    const keys = Array.from({ length: 150 }, (_, i) => `m/${i}`);
    for (const i of [0, 9, 10, 11, 127, 128, 149]) await store.put(keys[i], `v${i}`);
    const got = await store.getMany(keys);
    assert.equal(got.length, keys.length);
    assert.deepEqual(got, keys.map((k, i) => ([0, 9, 10, 11, 127, 128, 149].includes(i) ? `v${i}` : null)));
    if (advance) {
      await store.put('t', 'x', { expirationTtl: 60 });
      advance(59_000);
      assert.deepEqual(await store.getMany(['t', 'a']), ['x', '1']);
      advance(2_000);
      assert.deepEqual(await store.getMany(['t', 'a', 't']), [null, '1', null]);
    }
  });

  test(`${name}: commit: every check holds -> true, every put and delete applied`, async (t) => {
    const { store, advance } = await make();
    if (!store.commit) return t?.skip?.('this backend has no commit');
    assert.equal(await store.commit({}), true);
    assert.equal(await store.commit({ checks: [], puts: [], deletes: [] }), true);
    await store.put('c1', 'old');
    await store.put('gone', 'x');
    await store.put('other', 'o');
    assert.equal(await store.commit({
      checks: [{ key: 'c1', value: 'old' }, { key: 'absent', value: null }, { key: 'gone', value: 'x' }, { key: 'c1', value: 'old' }],
      puts: [{ key: 'c1', value: 'new' }, { key: 'n1', value: 'v1' }, { key: 'ttl', value: 't', expirationTtl: 60 }],
      deletes: ['gone', 'never-there'],
    }), true);
    assert.equal(await store.get('c1'), 'new');
    assert.equal(await store.get('n1'), 'v1');
    assert.equal(await store.get('ttl'), 't');
    assert.equal(await store.get('gone'), null);
    assert.equal(await store.get('absent'), null);
    assert.equal(await store.get('other'), 'o', 'a key the commit does not name is untouched');
    assert.deepEqual((await store.list({ prefix: '' })).keys.map((k) => k.name), ['c1', 'n1', 'other', 'ttl']);
    if (advance) {
      advance(59_000);
      assert.equal(await store.get('ttl'), 't');
      advance(2_000);
      assert.equal(await store.get('ttl'), null, 'a put\'s expirationTtl is honoured');
      assert.equal(await store.get('n1'), 'v1', 'a put without expirationTtl does not expire');
    }
    // Writes alone, no checks.
    assert.equal(await store.commit({ puts: [{ key: 'p', value: '1' }] }), true);
    assert.equal(await store.get('p'), '1');
    assert.equal(await store.commit({ deletes: ['p'] }), true);
    assert.equal(await store.get('p'), null);
    // The core's largest commit: 16 checks and 500 writes (more than one backend call's worth).
    const bulk = Array.from({ length: 500 }, (_, i) => `bulk/${String(i).padStart(3, '0')}`);
    const checks = bulk.slice(0, 16).map((key) => ({ key, value: null }));
    assert.equal(await store.commit({ checks, puts: bulk.map((key) => ({ key, value: key.slice(5) })) }), true);
    const listed = (await store.list({ prefix: 'bulk/' })).keys.map((k) => k.name);
    assert.deepEqual(listed, bulk);
    if (store.getMany) assert.deepEqual(await store.getMany(bulk.slice(120, 140)), bulk.slice(120, 140).map((k) => k.slice(5)));
    const present = bulk.slice(0, 16).map((key) => ({ key, value: key.slice(5) }));
    assert.equal(await store.commit({ checks: present, deletes: bulk }), true);
    assert.deepEqual((await store.list({ prefix: 'bulk/' })).keys, []);
  });

  test(`${name}: commit: one failing check -> false, nothing written`, async (t) => {
    const { store } = await make();
    if (!store.commit) return t?.skip?.('this backend has no commit');
    await store.put('k', 'v');
    await store.put('other', 'o');
    await store.put('empty', '');
    const writes = { puts: [{ key: 'k', value: 'changed' }, { key: 'new', value: 'n' }], deletes: ['other'] };
    const unchanged = async () => {
      assert.equal(await store.get('k'), 'v');
      assert.equal(await store.get('new'), null);
      assert.equal(await store.get('other'), 'o');
      assert.deepEqual((await store.list({ prefix: '' })).keys.map((k) => k.name), ['empty', 'k', 'other']);
    };
    // A wrong value, with other checks that hold.
    assert.equal(await store.commit({ checks: [{ key: 'k', value: 'v' }, { key: 'other', value: 'not o' }], ...writes }), false);
    await unchanged();
    // An absent key expected present.
    assert.equal(await store.commit({ checks: [{ key: 'missing', value: 'v' }, { key: 'k', value: 'v' }], ...writes }), false);
    await unchanged();
    // value null on a present key fails; on an absent key it holds.
    assert.equal(await store.commit({ checks: [{ key: 'k', value: null }], ...writes }), false);
    await unchanged();
    // Exact comparison: '' is a value, not absence.
    assert.equal(await store.commit({ checks: [{ key: 'empty', value: null }], ...writes }), false);
    assert.equal(await store.commit({ checks: [{ key: 'missing', value: '' }], ...writes }), false);
    // One key checked twice, for two values: both cannot hold.
    assert.equal(await store.commit({ checks: [{ key: 'k', value: 'v' }, { key: 'k', value: 'w' }], ...writes }), false);
    await unchanged();
    assert.equal(await store.commit({ checks: [{ key: 'missing', value: null }, { key: 'empty', value: '' }], puts: [{ key: 'missing', value: 'now' }] }), true);
    assert.equal(await store.get('missing'), 'now');
  });

  test(`${name}: commit: an expired key is absent to a check`, async (t) => {
    const { store, advance } = await make();
    if (!store.commit) return t?.skip?.('this backend has no commit');
    if (!advance) return t?.skip?.('this backend\'s clock cannot be moved');
    await store.put('e', 'old', { expirationTtl: 60 });
    assert.equal(await store.commit({ checks: [{ key: 'e', value: null }], puts: [{ key: 'x', value: '1' }] }), false);
    advance(61_000);
    assert.equal(await store.commit({ checks: [{ key: 'e', value: 'old' }], puts: [{ key: 'e', value: 'stale' }] }), false);
    assert.equal(await store.get('e'), null);
    assert.equal(await store.commit({ checks: [{ key: 'e', value: null }], puts: [{ key: 'e', value: 'new' }] }), true);
    assert.equal(await store.get('e'), 'new');
  });

  test(`${name}: getMany and commit refuse bad arguments with a TypeError, writing nothing`, async (t) => {
    const { store } = await make();
    if (!store.commit && !store.getMany) return t?.skip?.('this backend has neither getMany nor commit');
    // A TypeError, or, through a proxy that sends errors as text (workerd), its name.
    const refuses = async (promise, what) => {
      let error;
      try {
        await promise;
      } catch (e) {
        error = e;
      }
      assert.ok(error !== undefined, `${what}: not refused`);
      assert.ok(error instanceof TypeError || /TypeError/.test(String(error?.message ?? error)), `${what}: ${error}`);
    };
    if (store.getMany) {
      await refuses(store.getMany(['a', 5]), 'a key that is a number');
      await refuses(store.getMany('a'), 'a string for the array');
    }
    if (store.commit) {
      const bad = [
        null,
        { puts: [{ key: 'ok', value: '1' }, { key: 'bad', value: 2 }] },
        { puts: [{ key: 'ok', value: '1' }], deletes: [5] },
        { puts: [{ key: 5, value: '1' }] },
        { checks: [{ key: 1, value: null }], puts: [{ key: 'ok', value: '1' }] },
        { checks: [{ key: 'ok', value: 5 }], puts: [{ key: 'ok', value: '1' }] },
        { checks: [{ key: 'ok' }], puts: [{ key: 'ok', value: '1' }] },
        { puts: [{ key: 'ok', value: '1' }, { key: 'ok', value: '2' }] },
        { puts: [{ key: 'ok', value: '1' }], deletes: ['ok'] },
        { puts: { key: 'ok', value: '1' } },
      ];
      for (const op of bad) await refuses(store.commit(op), JSON.stringify(op));
      assert.equal(await store.get('ok'), null);
      assert.equal(await store.get('bad'), null);
    }
  });

  test(`${name}: commit under concurrency: 100 increments, one create`, async (t) => {
    const { store } = await make();
    if (!store.commit) return t?.skip?.('this backend has no commit');
    if (!atomic) return t?.skip?.('this backend\'s commit is not atomic under concurrency');
    // Read, then commit only if the value is still the one read; retry until it is.
    const increment = async () => {
      for (let attempt = 0; attempt < 100_000; attempt++) {
        const old = await store.get('counter');
        const n = old === null ? 0 : Number(old);
        if (await store.commit({ checks: [{ key: 'counter', value: old }], puts: [{ key: 'counter', value: String(n + 1) }] })) return;
      }
      throw new Error('an increment made no progress');
    };
    await Promise.all(Array.from({ length: 100 }, increment));
    assert.equal(await store.get('counter'), '100');
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) =>
      store.commit({ checks: [{ key: 'once', value: null }], puts: [{ key: 'once', value: String(i) }] })));
    assert.equal(results.filter((r) => r === true).length, 1);
    assert.equal(results.filter((r) => r === false).length, 49);
    assert.equal(await store.get('once'), String(results.indexOf(true)));
  });
}
