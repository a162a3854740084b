// Argon2id verification (what a login costs) at OWASP's m=19456 KiB, t=2, p=1, for `make bench`:
//   - warm, in this process: edge-sso's wasm against native @node-rs/argon2, @phi-ag/argon2
//     (the reference C code compiled for wasm SIMD) and Better Auth's default, scrypt N=2^14
//     r=16 p=1 dkLen 64 from @noble/hashes. Interleaved rounds after a warm-up; CPU time of the
//     process per verification (the machine is shared; CPU time is also what Workers bill), wall
//     time beside it. Median over all runs; the spread is the range of the per-round medians.
//   - cold, Node: fresh `node` processes (bench/argon2-cold-child.mjs) that import the package
//     and construct an Sso, the first verification against the later ones; also with V8 flags,
//     as measurements only (--no-liftoff, --no-wasm-dynamic-tiering), not something users need.
//   - cold, workerd (miniflare): a fresh workerd per trial running bench/argon2-worker.js, the
//     first request's latency against later ones; and the example worker's start-up and first
//     login (.build/worker, `make worker-bundle`).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Miniflare } from 'miniflare';
import * as nodeRs from '@node-rs/argon2';
import initPhi from '@phi-ag/argon2/node';
import { scrypt } from '@noble/hashes/scrypt.js';
import { initSync, WasmSso } from '../pkg/wasm/edge_sso.js';
import { exampleWorker } from '../tests/worker/example-worker.mjs';

const P = { m: 19456, t: 2, p: 1 };
const PASSWORD = 'correct horse battery staple';
const ROUNDS = 7;
const root = resolve(import.meta.dirname, '..');

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const range = (xs) => [Math.min(...xs), Math.max(...xs)];
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

/** Wall and process CPU milliseconds of one call of `fn`. */
async function timed(fn) {
  const c = process.cpuUsage();
  const t = performance.now();
  const ok = await fn();
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  if (ok !== true) throw new Error('a verification failed');
  return { wall, cpu: (d.user + d.system) / 1000 };
}

let initialised = false;
function init() {
  if (!initialised) initSync({ module: readFileSync(resolve(root, 'pkg/wasm/edge_sso_bg.wasm')) });
  initialised = true;
}

export async function measureArgon2Warm({ log = () => {} } = {}) {
  init();
  const ours = WasmSso.benchArgon2idHash(PASSWORD, P.m, P.t, P.p);
  if (!(await nodeRs.verify(ours, PASSWORD))) throw new Error('our hash does not verify with @node-rs/argon2');
  const nrHash = await nodeRs.hash(PASSWORD, { memoryCost: P.m, timeCost: P.t, parallelism: P.p, algorithm: 2 });
  const phi = await initPhi();
  const phiHash = phi.hash(PASSWORD, { memoryCost: P.m, timeCost: P.t, parallelism: P.p, hashLength: 32, type: 2 }).encoded;
  const salt = new Uint8Array(16).fill(5);
  const scryptKey = scrypt(PASSWORD, salt, { N: 2 ** 14, r: 16, p: 1, dkLen: 64 });
  const impls = [
    { name: 'edge-sso (wasm SIMD)', runs: 3, verify: () => WasmSso.benchArgon2idVerify(PASSWORD, ours) },
    { name: '@node-rs/argon2 (native)', runs: 3, verify: () => nodeRs.verify(nrHash, PASSWORD) },
    { name: '@phi-ag/argon2 (wasm SIMD, reference C)', runs: 3, verify: () => { phi.verify(phiHash, PASSWORD); return true; } },
    { name: 'Better Auth default: scrypt N=2^14 r=16 (@noble/hashes)', runs: 1, verify: () => {
      const k = scrypt(PASSWORD, salt, { N: 2 ** 14, r: 16, p: 1, dkLen: 64 });
      return k.every((b, i) => b === scryptKey[i]);
    } },
  ];
  for (const impl of impls) for (let i = 0; i < 3; i++) await timed(impl.verify); // warm-up
  for (const impl of impls) impl.rounds = [];
  for (let r = 0; r < ROUNDS; r++) {
    for (const impl of impls) {
      const runs = [];
      for (let i = 0; i < impl.runs; i++) runs.push(await timed(impl.verify));
      impl.rounds.push(runs);
    }
    log(`argon2 warm round ${r + 1}/${ROUNDS}`);
  }
  return impls.map(({ name, rounds }) => {
    const all = rounds.flat();
    return {
      name,
      cpu: median(all.map((x) => x.cpu)),
      wall: median(all.map((x) => x.wall)),
      roundCpu: rounds.map((rs) => median(rs.map((x) => x.cpu))),
    };
  });
}

/** `runs` fresh Node processes, each verifying `count` times; `flags` are V8 options. */
function nodeCold(flags, { trials = 5, count = 6 } = {}) {
  init();
  const phc = WasmSso.benchArgon2idHash(PASSWORD, P.m, P.t, P.p);
  const results = [];
  for (let i = 0; i < trials; i++) {
    const out = execFileSync(process.execPath, [...flags, resolve(root, 'bench/argon2-cold-child.mjs'), phc, PASSWORD, String(count)], { encoding: 'utf8' });
    const r = JSON.parse(out);
    if (!r.runs.every((x) => x.ok)) throw new Error('a cold verification failed');
    results.push(r);
  }
  const first = results.map((r) => r.runs[0].cpu);
  const later = results.flatMap((r) => r.runs.slice(2).map((x) => x.cpu));
  return {
    flags: flags.join(' ') || '(none)',
    load: median(results.map((r) => r.load)),
    construct: median(results.map((r) => r.construct)),
    first: median(first),
    firstWall: median(results.map((r) => r.runs[0].wall)),
    second: median(results.map((r) => r.runs[1].cpu)),
    warm: median(later),
    ratio: median(results.map((r) => r.runs[0].cpu / median(r.runs.slice(2).map((x) => x.cpu)))),
  };
}

export function measureArgon2ColdNode({ log = () => {} } = {}) {
  const rows = [];
  for (const flags of [[], ['--no-liftoff'], ['--no-wasm-dynamic-tiering']]) {
    rows.push(nodeCold(flags));
    log(`argon2 cold node ${flags.join(' ') || 'default'}`);
  }
  return rows;
}

/** Fresh workerd per trial: start-up time, then request latencies (ms, wall: workerd's CPU is
 * its own process). */
export async function measureArgon2ColdWorkerd({ trials = 5, count = 6, log = () => {} } = {}) {
  init();
  const phc = WasmSso.benchArgon2idHash(PASSWORD, P.m, P.t, P.p);
  const url = `http://bench.test/verify?password=${encodeURIComponent(PASSWORD)}&phc=${encodeURIComponent(phc)}`;
  const verify = { ready: [], first: [], ratio: [], warm: [] };
  for (let i = 0; i < trials; i++) {
    const t = performance.now();
    const mf = new Miniflare({
      modules: true,
      modulesRoot: root,
      scriptPath: resolve(root, 'bench/argon2-worker.js'),
      modulesRules: [{ type: 'ESModule', include: ['**/*.js'] }, { type: 'CompiledWasm', include: ['**/*.wasm'] }],
      compatibilityDate: '2026-04-01',
    });
    await mf.ready;
    verify.ready.push(performance.now() - t);
    const lat = [];
    for (let k = 0; k < count; k++) {
      const s = performance.now();
      const res = await mf.dispatchFetch(url);
      if ((await res.text()) !== 'ok') throw new Error('workerd verification failed');
      lat.push(performance.now() - s);
    }
    await mf.dispose();
    verify.first.push(lat[0]);
    verify.warm.push(median(lat.slice(2)));
    verify.ratio.push(lat[0] / median(lat.slice(2)));
    log(`argon2 cold workerd ${i + 1}/${trials}`);
  }
  // The example worker: start-up (script load, wasm compile, instantiate) against a worker
  // without wasm, and its first requests (the Durable Object's bootstrap makes the admin first).
  const bindings = { SSO_STORE: 'durable-object', SSO_SECRET_KEY: Buffer.alloc(32, 3).toString('base64'), SSO_ADMIN_USERNAME: 'admin', SSO_ADMIN_PASSWORD: PASSWORD };
  const example = { ready: [], trivialReady: [], first: [], second: [], warm: [] };
  for (let i = 0; i < trials; i++) {
    let t = performance.now();
    const trivial = new Miniflare({ modules: true, script: 'export default { fetch() { return new Response("ok"); } }', compatibilityDate: '2026-04-01' });
    await trivial.ready;
    example.trivialReady.push(performance.now() - t);
    await trivial.dispose();
    t = performance.now();
    const mf = exampleWorker(bindings);
    await mf.ready;
    example.ready.push(performance.now() - t);
    const lat = [];
    for (let k = 0; k < count; k++) {
      const s = performance.now();
      const res = await mf.dispatchFetch('http://worker.test/zato/sso/user/login', {
        method: 'POST', headers: { 'content-type': 'application/json', 'cf-connecting-ip': `10.9.0.${k + 1}` },
        body: JSON.stringify({ current_app: 'CRM', username: 'admin', password: PASSWORD }),
      });
      const json = await res.json();
      if (json.status !== 'ok') throw new Error(`example worker login: ${JSON.stringify(json)}`);
      lat.push(performance.now() - s);
    }
    await mf.dispose();
    example.first.push(lat[0]);
    example.second.push(lat[1]);
    example.warm.push(median(lat.slice(2)));
    log(`example worker cold ${i + 1}/${trials}`);
  }
  const m = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, median(v)]));
  return { verify: m(verify), verifyRatioRange: range(verify.ratio), example: m(example) };
}

export function argon2Tables(warm, node, workerd) {
  const [ours, ...peers] = warm;
  const lines = [
    `### One login's Argon2id verification (m=${P.m}, t=${P.t}, p=${P.p}), warm, Node ${process.version}`,
    '',
    `CPU time of the process per verification; median of ${ROUNDS} interleaved rounds (3 runs each, scrypt 1) after a warm-up; spread: the range of the per-round medians.`,
    '',
    '| implementation | CPU ms (median) | spread | wall ms | edge-sso / it (median, range over rounds) |',
    '|---|---|---|---|---|',
  ];
  for (const x of warm) {
    const ratios = x.roundCpu.map((c, i) => ours.roundCpu[i] / c);
    const [lo, hi] = range(x.roundCpu);
    const ratio = x === ours ? '—' : `${f2(median(ratios))} (${f2(Math.min(...ratios))}–${f2(Math.max(...ratios))})`;
    lines.push(`| ${x.name} | ${f1(x.cpu)} | ${f1(lo)}–${f1(hi)} | ${f1(x.wall)} | ${ratio} |`);
  }
  void peers;
  lines.push('', '### Cold: the first verification in a fresh process or isolate', '',
    'Node: fresh `node` processes (5), CPU ms. The flags are measurements of what V8 could do, not advice.', '',
    '| V8 flags | import (read, compile, instantiate the wasm) ms | new Sso ms | first verification | second | warm (3rd–6th) | first / warm (median) |',
    '|---|---|---|---|---|---|---|');
  for (const r of node) lines.push(`| ${r.flags} | ${f1(r.load)} | ${f1(r.construct)} | ${f1(r.first)} (wall ${f1(r.firstWall)}) | ${f1(r.second)} | ${f1(r.warm)} | ${f2(r.ratio)} |`);
  const v = workerd.verify;
  const e = workerd.example;
  lines.push('', 'workerd (miniflare), a fresh workerd per trial (5), request latency in ms (wall):', '',
    '| what | value |', '|---|---|',
    `| verification worker: start-up (workerd process, script, wasm compile) | ${f1(v.ready)} |`,
    `| verification worker: first request (one verification) | ${f1(v.first)} |`,
    `| verification worker: later requests (3rd–6th, median) | ${f1(v.warm)} |`,
    `| first / later (median; range) | ${f2(v.ratio)} (${f2(workerd.verifyRatioRange[0])}–${f2(workerd.verifyRatioRange[1])}) |`,
    `| example worker start-up / a worker without wasm | ${f1(e.ready)} / ${f1(e.trivialReady)} |`,
    `| example worker first request: POST /user/login (bootstrap creates the admin, then the login) | ${f1(e.first)} |`,
    `| example worker second login / later logins (median) | ${f1(e.second)} / ${f1(e.warm)} |`);
  return lines.join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const log = (m) => console.error(m);
  const warm = await measureArgon2Warm({ log });
  const node = measureArgon2ColdNode({ log });
  const workerd = await measureArgon2ColdWorkerd({ log });
  console.log(argon2Tables(warm, node, workerd));
}
