// The race suite (tests/races/cases.mjs) on Deno through the package's "deno" export: on
// DenoKvStore, each case on a Deno KV of its own in a temporary file.
import { Sso, SsoError, DenoKvStore } from 'edge-sso';
import { races } from '../races/cases.mjs';

const dir = await Deno.makeTempDir({ prefix: 'edge-sso-races-' });
const kvs = [];
let n = 0;

// Deno.test refuses async leaks by default; the KV handles are closed at the end.
const test = (name, fn) => Deno.test({ name: `[deno] ${name}`, fn, sanitizeResources: false, sanitizeOps: false });

races(test, 'DenoKvStore', async () => {
  const kv = await Deno.openKv(`${dir}/races-${++n}.sqlite3`);
  kvs.push(kv);
  return new DenoKvStore(kv);
}, { Sso, SsoError, liveness: Deno.env.get('RACES_LIVENESS') === '1' });

Deno.test({
  name: '[deno] races: close',
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    for (const kv of kvs) kv.close();
    await Deno.remove(dir, { recursive: true });
  },
});
