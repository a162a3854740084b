// Store round trips per operation: every store call answers after a fixed delay, so a remote
// store's latency shows. Counts the store calls of each operation and its sequential round trips
// ("waves": a wave starts when a call begins while no other call is in flight; calls that
// overlap share a wave). Run alone (`node bench/roundtrips.mjs`) or from bench/run.mjs.
import { Sso, MemoryStore } from '../pkg/entrypoints/node.js';

export const DELAY_MS = 20;
const PASSWORD = 'correct horse battery staple';
const APP = 'CRM';
const ADDR = '10.0.0.1';
const METHODS = ['get', 'put', 'delete', 'list', 'putIfAbsent', 'getMany', 'commit'];

/** Wraps a store: each method present on it waits `delay` ms, then calls the inner store. */
export function delayedStore(inner, delay = DELAY_MS) {
  const stats = { calls: 0, waves: 0, inFlight: 0, byMethod: {} };
  const store = {};
  for (const m of METHODS) {
    if (typeof inner[m] !== 'function') continue;
    store[m] = async (...args) => {
      if (stats.inFlight === 0) stats.waves++;
      stats.inFlight++;
      stats.calls++;
      stats.byMethod[m] = (stats.byMethod[m] ?? 0) + 1;
      try {
        await new Promise((r) => setTimeout(r, delay));
        return await inner[m](...args);
      } finally {
        stats.inFlight--;
      }
    };
  }
  const reset = () => Object.assign(stats, { calls: 0, waves: 0, byMethod: {} });
  return { store, stats, reset };
}

export async function measureRoundTrips(delay = DELAY_MS) {
  const { store, stats, reset } = delayedStore(new MemoryStore(), delay);
  const sso = new Sso({ store, secretKey: Buffer.alloc(32, 3).toString('base64'), config: { argon2: { m_cost: 64, t_cost: 1 } } });
  const u = sso.user;

  // Set-up.
  await u.createSuperUser(null, { username: 'admin', password: PASSWORD });
  const { ust: admin } = await u.login(null, 'admin', PASSWORD, APP, ADDR);
  const mk = async (username) => {
    const data = { username, password: PASSWORD };
    await u.createUser(null, data, admin, APP, ADDR, { autoApprove: true });
    return data.user_id;
  };
  const userId = await mk('alice');
  const { ust } = await u.login(null, 'alice', PASSWORD, APP, ADDR);
  await u.attr.create(null, 'theme', { dark: true }, ust, APP, ADDR);
  const others = [];
  for (let i = 0; i < 4; i++) others.push(await mk(`bob${i}`));
  const extraSession = async () => (await u.login(null, 'alice', PASSWORD, APP, ADDR)).ust;

  const rows = [];
  // name, budget, warm-up, measured op
  const op = async (name, budget, warm, run) => {
    await warm();
    reset();
    const t0 = performance.now();
    await run();
    const ms = performance.now() - t0;
    rows.push({ name, calls: stats.calls, waves: stats.waves, budget, ms, byMethod: { ...stats.byMethod } });
  };

  await op('getCurrentUser', 1, () => u.getCurrentUser(null, ust, APP, ADDR), () => u.getCurrentUser(null, ust, APP, ADDR));
  await op('getUserById', 1, () => u.getUserById(null, others[0], admin, APP, ADDR), () => u.getUserById(null, userId, admin, APP, ADDR));
  await op('attr.get', 1, () => u.attr.get(null, 'theme', ust, APP, ADDR), () => u.attr.get(null, 'theme', ust, APP, ADDR));
  {
    const s1 = await extraSession();
    const s2 = await extraSession();
    await op('logout', 2, () => u.logout(null, s1, APP, ADDR), () => u.logout(null, s2, APP, ADDR));
  }
  await op('session.renew', 2, () => u.session.renew(null, ust, APP, ADDR), () => u.session.renew(null, ust, APP, ADDR));
  await op('attr.set', 2, () => u.attr.set(null, 'theme', { dark: false }, ust, APP, ADDR), () => u.attr.set(null, 'theme', { dark: true }, ust, APP, ADDR));
  await op('login', 3, () => u.login(null, 'alice', PASSWORD, APP, ADDR), () => u.login(null, 'alice', PASSWORD, APP, ADDR));
  await op('updateCurrentUser', 3, () => u.updateCurrentUser(null, { display_name: 'Alice A' }, ust, APP, ADDR), () => u.updateCurrentUser(null, { display_name: 'Alice B' }, ust, APP, ADDR));
  await op('lockUser', 3, () => u.lockUser(null, others[0], admin, APP, ADDR), () => u.lockUser(null, others[1], admin, APP, ADDR));
  await op('session.getCurrent', 1, () => u.session.getCurrent(null, ust, APP, ADDR), () => u.session.getCurrent(null, ust, APP, ADDR));
  await op('search, a page of users', 3, () => u.search(null, { page_size: 5 }, admin, APP, ADDR), () => u.search(null, { page_size: 10 }, admin, APP, ADDR));
  await op('search by exact username', 2, () => u.search(null, { username: 'bob0' }, admin, APP, ADDR), () => u.search(null, { username: 'alice' }, admin, APP, ADDR));
  await op('createUser', 4, () => mk('carol0'), () => mk('carol1'));
  await op('deleteUserById', 5, () => u.deleteUserById(null, others[2], admin, APP, ADDR), () => u.deleteUserById(null, others[3], admin, APP, ADDR));
  return rows;
}

export function roundTripsTable(rows, delay = DELAY_MS) {
  return [
    `## Store round trips (${delay} ms per call)`,
    '',
    `Every store call answers after ${delay} ms (a MemoryStore behind a delay). Sequential round trips are`,
    'counted as waves: a wave starts when a call begins while no other call is in flight.',
    '',
    '| operation | store calls | sequential round trips | budget |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.name} | ${r.calls} | ${r.waves} | ${r.budget}${r.waves > r.budget ? ' — over budget' : ''} |`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await measureRoundTrips();
  console.log(roundTripsTable(rows));
  console.log('');
  for (const r of rows) {
    console.log(`${r.name}: ${r.ms.toFixed(0)} ms (~${Math.round(r.ms / DELAY_MS)} x ${DELAY_MS} ms), ${JSON.stringify(r.byMethod)}`);
  }
}
