// The store conformance suite on workerd: the Durable Object adapter inside a real Durable
// Object (its commit in a real storage transaction), and a real KV namespace (which needs no
// adapter; it has no putIfAbsent, getMany or commit, and its TTLs cannot be hurried, so those
// checks are skipped for it).
import { test, after } from 'node:test';
import { resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import { conformance } from '../conformance/suite.mjs';

const root = resolve(import.meta.dirname, '../..');
const mf = new Miniflare({
  modules: true,
  modulesRoot: root,
  scriptPath: resolve(import.meta.dirname, 'conformance-worker.js'),
  modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }],
  compatibilityDate: '2026-04-01',
  durableObjects: { STORE: { className: 'StoreObject', useSQLite: true } },
  kvNamespaces: ['KV'],
});
after(() => mf.dispose());

let objects = 0;
conformance(test, 'DurableObjectStore (workerd)', async () => {
  const object = `o${++objects}`;
  const call = async (op, ...args) => {
    const res = await mf.dispatchFetch(`http://do.test/?object=${object}`, { method: 'POST', body: JSON.stringify({ op, args }) });
    const r = await res.json();
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };
  const store = {
    get: (k) => call('get', k),
    put: (k, v, o) => call('put', k, v, o),
    delete: (k) => call('delete', k),
    list: (o) => call('list', o),
    putIfAbsent: (k, v, o) => call('putIfAbsent', k, v, o),
    getMany: (keys) => call('getMany', keys),
    commit: (op) => call('commit', op),
  };
  // The clock moves inside the object; the suite's synchronous advance queues the call.
  let pending = Promise.resolve();
  const wrapped = Object.fromEntries(Object.entries(store).map(([k, f]) => [k, async (...a) => { await pending; return f(...a); }]));
  return { store: wrapped, advance: (ms) => { pending = pending.then(() => call('advance', ms)); } };
});

let kvs = 0;
conformance(test, 'Cloudflare KV namespace (workerd)', async () => {
  const kv = await mf.getKVNamespace('KV');
  const prefix = `run${++kvs}/`;
  // A fresh namespace per test: the suite's keys, under a prefix of their own.
  return {
    store: {
      get: (k) => kv.get(prefix + k),
      put: (k, v, o) => kv.put(prefix + k, v, o),
      delete: (k) => kv.delete(prefix + k),
      list: async (o = {}) => {
        const r = await kv.list({ ...o, prefix: prefix + (o.prefix ?? '') });
        return { ...r, keys: r.keys.map((k) => ({ name: k.name.slice(prefix.length) })) };
      },
    },
  };
});
