// The partitioned Durable Object store on workerd: the core runs in this (stateless) worker,
// storage lives in `Shard` objects (StoreShard). Bundled by tests/worker/partitioned.test.mjs
// with the installed package.
//   POST /store {store, op, args}   one store call (the conformance suite drives these)
//   GET  /cases                     the race suite's case names
//   POST /run {name}                runs one race case in the worker, on a fresh store
//   POST /fault {kind, n}           a create, rename or delete whose worker dies after n
//                                   messages between shards; then checks what is visible
import { Sso, SsoError, PartitionedDurableObjectStore, StoreShard } from 'edge-sso';
import { caseNames, raceCases, runCase } from './race-endpoints.js';

export class Shard extends StoreShard {}

const SHARDS = 4;
const open = (env, name, opts = {}) => new PartitionedDurableObjectStore(env.SSO_SHARDS, { shards: SHARDS, name, lockMs: 500, ...opts });

async function advance(env, name, ms) {
  await Promise.all(Array.from({ length: SHARDS }, (_, i) =>
    env.SSO_SHARDS.get(env.SSO_SHARDS.idFromName(`${name}-shard-${i}`)).fetch('https://shard/', { method: 'POST', body: JSON.stringify({ op: 'advance', args: [ms] }) })));
}

const SUITE = 'PartitionedDurableObjectStore (workerd)';
const DEPS = { Sso, SsoError, liveness: false };

const KEY = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));
const CONFIG = { argon2: { m_cost: 64, t_cost: 1 }, signup: { is_approval_needed: false } };
const ADDR = '10.0.0.1';
const sso = (store) => new Sso({ store, secretKey: KEY, config: CONFIG });

/** The store key of a username's claim (src/store.rs: digest("username", name), base64url). */
async function claimKey(username) {
  const bytes = new TextEncoder().encode(`username\u0000${username.toLowerCase()}`);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return `sso/username/${btoa(String.fromCharCode(...digest)).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '')}`;
}

/** A name whose claim lives in another shard than the search index: its create spans shards. */
async function spreadName(store, base) {
  for (let i = 0; ; i++) {
    const name = `${base}${i}`;
    if (store.shardOf(await claimKey(name)) !== store.shardOf('sso/idx/sort/')) return name;
  }
}

/** One fault case: returns the violations found (none is the pass). */
async function fault(env, kind, n) {
  const name = `fault-${kind}-${n}-${crypto.randomUUID()}`;
  const victim = await spreadName(open(env, name), 'victim');
  const renamed = await spreadName(open(env, name), 'renamed');
  const clean = sso(open(env, name));
  await clean.user.createSuperUser(null, { username: 'admin', password: 'admin passphrase' });
  const { ust: admin } = await clean.user.login(null, 'admin', 'admin passphrase', 'CRM', ADDR);
  let userId;
  if (kind !== 'create') {
    const data = { username: victim, password: 'victim passphrase', email: 'v@example.com' };
    await clean.user.createUser(null, data, admin, 'CRM', ADDR, { autoApprove: true });
    userId = data.user_id;
  }
  const faulty = sso(open(env, name, { faultAfter: n }));
  let result = 'ok';
  try {
    if (kind === 'create') await faulty.user.createUser(null, { username: victim, password: 'victim passphrase', email: 'v@example.com' }, admin, 'CRM', ADDR, { autoApprove: true });
    if (kind === 'rename') await faulty.user.updateUserById(null, userId, { username: renamed }, admin, 'CRM', ADDR);
    if (kind === 'delete') await faulty.user.deleteUserById(null, userId, admin, 'CRM', ADDR);
  } catch (e) {
    result = e instanceof SsoError ? e.sub_status.join(',') : String(e);
  }
  // The dead worker's locks expire; whatever is read afterwards must be whole.
  await advance(env, name, 1_000);
  const logsIn = async (u) => clean.user.login(null, u, 'victim passphrase', 'CRM', '10.9.9.9').then(() => true, () => false);
  const violations = [];
  if (kind === 'create') {
    const found = (await clean.user.search(null, { username: victim }, admin, 'CRM', ADDR)).total;
    const works = await logsIn(victim);
    if (found !== (works ? 1 : 0)) violations.push(`search finds ${found}, login ${works}`);
    if (result === 'ok' && !works) violations.push('created, yet no login');
    if (!works) {
      // The name is free again.
      await clean.user.createUser(null, { username: victim, password: 'victim passphrase' }, admin, 'CRM', ADDR, { autoApprove: true })
        .catch((e) => violations.push(`the name stays taken: ${e.message}`));
    }
  }
  if (kind === 'rename') {
    const [oldWorks, newWorks] = [await logsIn(victim), await logsIn(renamed)];
    if (oldWorks === newWorks) violations.push(`old name ${oldWorks}, new name ${newWorks}`);
    if (result === 'ok' && !newWorks) violations.push('renamed, yet the new name does not log in');
  }
  if (kind === 'delete') {
    const gone = await clean.user.getUserById(null, userId, admin, 'CRM', ADDR).then(() => false, () => true);
    const works = await logsIn(victim);
    if (gone === works) violations.push(`gone ${gone}, login ${works}`);
    if (result === 'ok' && !gone) violations.push('deleted, yet readable');
  }
  return { result, violations };
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/store' && request.method === 'POST') {
      const { store, op, args } = await request.json();
      try {
        if (op === 'advance') return Response.json({ ok: true, value: await advance(env, store, args[0]) ?? null });
        return Response.json({ ok: true, value: (await open(env, store)[op](...args)) ?? null });
      } catch (e) {
        return Response.json({ ok: false, error: `${e?.name}: ${e?.message}` });
      }
    }
    if (url.pathname === '/cases') return caseNames(SUITE, DEPS);
    if (url.pathname === '/run' && request.method === 'POST') {
      const { name } = await request.json();
      return runCase(raceCases(SUITE, async () => open(env, `race-${crypto.randomUUID()}`), DEPS), name);
    }
    if (url.pathname === '/fault' && request.method === 'POST') {
      const { kind, n } = await request.json();
      try {
        return Response.json({ ok: true, ...(await fault(env, kind, n)) });
      } catch (e) {
        return Response.json({ ok: false, error: `${e?.name}: ${e?.message}` });
      }
    }
    return new Response('not found', { status: 404 });
  },
};
