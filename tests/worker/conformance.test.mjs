// The store conformance suite on workerd: the Durable Object adapter inside a real Durable
// Object (its commit in a real storage transaction), and a real KV namespace (which needs no
// adapter; it has no putIfAbsent, getMany or commit, and its TTLs cannot be hurried, so those
// checks are skipped for it).
import { test, after } from 'node:test';
import { conformance } from '../conformance/suite.mjs';
import { proxyStore, storeCall } from './store-proxy.mjs';
import { sourceWorker } from './workerd.mjs';

const mf = sourceWorker('conformance-worker.js', {
  durableObjects: { STORE: { className: 'StoreObject', useSQLite: true } },
  kvNamespaces: ['KV'],
});
after(() => mf.dispose());

let objects = 0;
conformance(test, 'DurableObjectStore (workerd)', async () => proxyStore(storeCall(mf, `http://do.test/?object=o${++objects}`)));

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
