// Load on workerd (through miniflare): the example worker (`make worker-bundle`, .build/worker)
// in its two strongly consistent modes, side by side in one run:
//   - "durable-object": every request runs inside one Durable Object (SSO_DO);
//   - "partitioned": the core runs in the worker, storage in 16 SsoShard objects (SSO_SHARDS).
// Default Argon2 cost (no SSO_CONFIG). Mixed load: LOGINS concurrent login loops with CHECKERS
// concurrent session-check loops (GET /zato/sso/user, Bearer UST); logins/s and the session
// checks' p50/p99 while logins run. Warm-up discarded, rounds interleaved by mode, median and
// min–max over rounds. Then shard messages per operation in partitioned mode, counted by a
// wrapper module around the same bundle that wraps the SSO_SHARDS binding.
// Run alone (`node bench/workerd-load.mjs`) or from bench/run.mjs.
import { cpus, platform, release } from 'node:os';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import { exampleWorker, BUNDLE } from '../tests/worker/example-worker.mjs';

export const LOGINS = 16;
export const CHECKERS = 16;
export const USERS = 20;
export const ROUND_MS = 5000;
export const WARMUP_MS = 1500;
export const ROUNDS = 5;
export const SHARDS = 16;
const MODES = ['durable-object', 'partitioned'];
const ADMIN = { username: 'bench-admin', password: 'bench admin passphrase' };
const PASSWORD = 'bench user passphrase';
const SECRET = Buffer.alloc(32, 21).toString('base64');
const BASE = 'http://worker.test';

const env = (mode) => ({
  SSO_STORE: mode,
  SSO_SECRET_KEY: SECRET,
  SSO_ADMIN_USERNAME: ADMIN.username,
  SSO_ADMIN_PASSWORD: ADMIN.password,
  SSO_SHARD_COUNT: String(SHARDS),
});

/** A REST client over miniflare's dispatchFetch; answers the parsed JSON and checks "ok". */
function client(mf) {
  const call = async (method, path, body, headers = {}) => {
    const url = new URL(`/zato/sso${path}`, BASE);
    const init = { method, headers: { 'content-type': 'application/json', 'cf-connecting-ip': '127.0.0.1', ...headers } };
    const data = { current_app: 'CRM', ...body };
    if (method === 'GET') for (const [k, v] of Object.entries(data)) url.searchParams.set(k, String(v));
    else init.body = JSON.stringify(data);
    const res = await mf.dispatchFetch(url, init);
    const json = await res.json();
    if (json.status !== 'ok') throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  return {
    call,
    login: (username, password = PASSWORD, addr = '127.0.0.1') => call('POST', '/user/login', { username, password }, { 'cf-connecting-ip': addr }),
    me: (ust) => call('GET', '/user', {}, { authorization: `Bearer ${ust}` }),
  };
}

/** The admin's session, ~USERS approved users and one session each. */
async function setUp(c, tag) {
  const { ust: admin } = await c.login(ADMIN.username, ADMIN.password);
  const users = [];
  for (let i = 0; i < USERS; i++) {
    const username = `load-${tag}-${i}`;
    await c.call('POST', '/user', { ust: admin, username, password: PASSWORD, auto_approve: true });
    const { ust } = await c.login(username);
    users.push({ username, ust });
  }
  return { admin, users };
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** LOGINS login loops and CHECKERS session-check loops for `ms`; in-flight calls are drained. */
async function mixedLoad(c, users, ms) {
  let logins = 0;
  let errors = 0;
  const errorKinds = {};
  const fail = (e) => {
    errors++;
    const k = String(e?.message ?? e).replace(/"cid":"[^"]*",?/, '').slice(0, 160);
    errorKinds[k] = (errorKinds[k] ?? 0) + 1;
  };
  const lat = [];
  const start = performance.now();
  const end = start + ms;
  const loops = [];
  for (let i = 0; i < LOGINS; i++) {
    // Each login loop is its own client: its own address and its own users (i, i + LOGINS, ...),
    // as distinct people logging in at once. (All from one address, every login writes the same
    // per-address throttle counter: a hot key, which one object serializes and the shards'
    // conditional commits fight over, E008005.)
    const mine = users.filter((_, j) => j % LOGINS === i);
    const addr = `10.1.${i >> 8}.${(i & 255) + 1}`;
    loops.push((async () => {
      for (let k = 0; performance.now() < end; k++) {
        try {
          await c.login(mine[k % mine.length].username, PASSWORD, addr);
          if (performance.now() <= end) logins++;
        } catch (e) { fail(e); }
      }
    })());
  }
  for (let i = 0; i < CHECKERS; i++) {
    loops.push((async () => {
      for (let k = i; performance.now() < end; k++) {
        const t = performance.now();
        try {
          await c.me(users[k % users.length].ust);
          if (t <= end) lat.push(performance.now() - t);
        } catch (e) { fail(e); }
      }
    })());
  }
  await Promise.all(loops);
  lat.sort((a, b) => a - b);
  return { loginsPerSec: (logins * 1000) / ms, checksPerSec: (lat.length * 1000) / ms, p50: pct(lat, 50), p99: pct(lat, 99), checks: lat.length, errors, errorKinds };
}

// A module around the bundle that counts messages to the shards (and their sequential waves:
// a wave starts when a message begins while none is in flight), read at /__shard-stats.
const COUNTER = `
import worker, { SsoDurableObject, SsoShard } from './worker.js';
export { SsoDurableObject, SsoShard };
const stats = { calls: 0, waves: 0, inFlight: 0, byOp: {} };
let wrapped;
const wrap = (ns) => (wrapped ??= {
  idFromName: (name) => ns.idFromName(name),
  get: (id) => {
    const stub = ns.get(id);
    return {
      fetch: async (url, init) => {
        if (stats.inFlight === 0) stats.waves++;
        stats.inFlight++;
        stats.calls++;
        try {
          const op = JSON.parse(init.body).op;
          stats.byOp[op] = (stats.byOp[op] ?? 0) + 1;
        } catch {}
        try { return await stub.fetch(url, init); } finally { stats.inFlight--; }
      },
    };
  },
});
export default {
  async fetch(request, env, ctx) {
    if (new URL(request.url).pathname === '/__shard-stats') {
      const out = Response.json(stats);
      Object.assign(stats, { calls: 0, waves: 0, byOp: {} });
      return out;
    }
    return worker.fetch(request, { ...env, SSO_SHARDS: wrap(env.SSO_SHARDS) }, ctx);
  },
};
`;

function countingWorker() {
  const wasm = readdirSync(BUNDLE).find((f) => f.endsWith('.wasm'));
  return new Miniflare({
    modules: [
      { type: 'ESModule', path: resolve(BUNDLE, '__counter.js'), contents: COUNTER },
      { type: 'ESModule', path: resolve(BUNDLE, 'worker.js') },
      { type: 'CompiledWasm', path: resolve(BUNDLE, wasm) },
    ],
    modulesRoot: BUNDLE,
    compatibilityDate: '2026-04-01',
    kvNamespaces: ['SSO_KV'],
    durableObjects: { SSO_DO: { className: 'SsoDurableObject', useSQLite: true }, SSO_SHARDS: { className: 'SsoShard', useSQLite: true } },
    bindings: env('partitioned'),
  });
}

/** Shard messages and sequential waves per REST operation, partitioned mode, one call at a time. */
async function shardMessages() {
  const mf = countingWorker();
  try {
    const c = client(mf);
    const stats = async () => (await mf.dispatchFetch(`${BASE}/__shard-stats`)).json();
    const { ust: admin } = await c.login(ADMIN.username, ADMIN.password);
    const rows = [];
    const op = async (name, warm, run) => {
      await warm();
      await new Promise((r) => setTimeout(r, 50)); // work after the response (waitUntil)
      await stats();
      await run();
      await new Promise((r) => setTimeout(r, 50));
      const s = await stats();
      rows.push({ name, calls: s.calls, waves: s.waves, byOp: s.byOp });
    };
    const mk = (username) => c.call('POST', '/user', { ust: admin, username, password: PASSWORD, auto_approve: true });
    await mk('count-a');
    await mk('count-b');
    const { ust } = await c.login('count-a');
    await op('getCurrentUser (GET /user)', () => c.me(ust), () => c.me(ust));
    await op('login (POST /user/login)', () => c.login('count-b'), () => c.login('count-a'));
    await op('createUser (POST /user)', () => mk('count-c'), () => mk('count-d'));
    const s1 = (await c.login('count-b')).ust;
    const s2 = (await c.login('count-b')).ust;
    await op('logout (POST /user/logout)', () => c.call('POST', '/user/logout', { ust: s1 }), () => c.call('POST', '/user/logout', { ust: s2 }));
    return rows;
  } finally {
    await mf.dispose();
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const spread = (xs, d) => `${Math.min(...xs).toFixed(d)}–${Math.max(...xs).toFixed(d)}`;

export async function measureWorkerdLoad({ log = () => {} } = {}) {
  if (!existsSync(resolve(BUNDLE, 'worker.js'))) throw new Error(`${BUNDLE} is missing: run \`make worker-bundle\` first`);
  const t0 = performance.now();
  const workers = {};
  try {
    for (const mode of MODES) {
      const mf = exampleWorker(env(mode));
      const c = client(mf);
      const s = performance.now();
      const { users } = await setUp(c, mode);
      log(`${mode}: ${USERS} users created and logged in (${((performance.now() - s) / 1000).toFixed(1)} s)`);
      workers[mode] = { mf, c, users, rounds: [] };
    }
    for (const mode of MODES) await mixedLoad(workers[mode].c, workers[mode].users, WARMUP_MS);
    for (let r = 0; r < ROUNDS; r++) {
      for (const mode of MODES) {
        const w = workers[mode];
        const res = await mixedLoad(w.c, w.users, ROUND_MS);
        w.rounds.push(res);
        log(`round ${r + 1} ${mode}: ${res.loginsPerSec.toFixed(1)} logins/s, ${res.checksPerSec.toFixed(0)} checks/s, p50 ${res.p50.toFixed(1)} ms, p99 ${res.p99.toFixed(1)} ms${res.errors ? `, ${res.errors} errors: ${JSON.stringify(res.errorKinds)}` : ''}`);
      }
    }
  } finally {
    await Promise.all(Object.values(workers).map((w) => w.mf.dispose()));
  }
  const shards = await shardMessages();
  const summary = {};
  for (const mode of MODES) {
    const rs = workers[mode].rounds;
    summary[mode] = Object.fromEntries(['loginsPerSec', 'checksPerSec', 'p50', 'p99'].map((k) => [k, { median: median(rs.map((x) => x[k])), all: rs.map((x) => x[k]) }]));
    summary[mode].errors = rs.reduce((n, x) => n + x.errors, 0);
  }
  return { summary, shards, seconds: (performance.now() - t0) / 1000 };
}

export function workerdLoadTable({ summary, shards }) {
  const d = summary['durable-object'];
  const p = summary.partitioned;
  const cell = (m, d0) => `${m.median.toFixed(d0)} (${spread(m.all, d0)})`;
  const row = (name, k, d0) => `| ${name} | ${cell(d[k], d0)} | ${cell(p[k], d0)} | ${(p[k].median / d[k].median).toFixed(2)} |`;
  const cpu = cpus();
  return [
    `## workerd load: single object vs partitioned (${SHARDS} shards)`,
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpu[0].model}, ${cpu.length} cores (${platform()} ${release()}), Node ${process.version}.`,
    'miniflare runs workerd locally: the worker, every Durable Object and every isolate share this',
    'machine, so absolute numbers are not Cloudflare\'s (there, each shard is its own object with its',
    'own thread, and the worker runs in many isolates); the ratio is the point.',
    '',
    `Example worker (.build/worker), default Argon2 cost, ${USERS} users. Mixed load: ${LOGINS} concurrent`,
    `login loops (each its own address and users) with ${CHECKERS} concurrent session-check loops`,
    '(GET /zato/sso/user, Bearer UST, sessions of all the users),',
    `${(WARMUP_MS / 1000).toFixed(1)} s warm-up discarded, then ${ROUNDS} rounds of ${ROUND_MS / 1000} s alternating the modes.`,
    'Median over rounds, min–max in parentheses.',
    '',
    '| measure | single object (SSO_STORE=durable-object) | partitioned (SSO_STORE=partitioned) | ratio partitioned / single |',
    '|---|---|---|---|',
    row('logins/s', 'loginsPerSec', 1),
    row('session checks/s (while logins run)', 'checksPerSec', 0),
    row('session check p50 (ms)', 'p50', 1),
    row('session check p99 (ms)', 'p99', 1),
    ...(d.errors || p.errors ? [`| failed calls | ${d.errors} | ${p.errors} | |`] : []),
    '',
    'Round trips per operation. Single object: one worker → object hop per request; the store calls',
    'run on the object\'s local storage, as counted in "Store round trips" above (MemoryStore behind a',
    'delay; e.g. getCurrentUser 1 wave, login 3). Partitioned: messages from the worker to the shards,',
    'counted by wrapping the SSO_SHARDS binding (one call at a time; waves as above):',
    '',
    '| operation | shard messages | sequential waves | by message |',
    '|---|---|---|---|',
    ...shards.map((r) => `| ${r.name} | ${r.calls} | ${r.waves} | ${Object.entries(r.byOp).map(([k, v]) => `${k} ${v}`).join(', ')} |`),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await measureWorkerdLoad({ log: (s) => console.log(s) });
  console.log(`\n${workerdLoadTable(result)}\n\n(${result.seconds.toFixed(0)} s)`);
}
