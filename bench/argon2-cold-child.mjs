// For `make bench` (bench/argon2.mjs): a fresh Node process imports the package, constructs an
// Sso (as a server does at start) and runs Argon2id verifications; prints JSON: the import
// (read, compile and instantiate the wasm), the construction, then each verification's wall and
// CPU time. argv: <phc> <password> <count>.
const [phc, password, count] = process.argv.slice(2);
let t = performance.now();
const { Sso, MemoryStore } = await import('../pkg/entrypoints/node.js');
const { WasmSso } = await import('../pkg/wasm/edge_sso.js');
const load = performance.now() - t;
t = performance.now();
new Sso({ store: new MemoryStore(), secretKey: Buffer.alloc(32, 7).toString('base64') });
const construct = performance.now() - t;
const runs = [];
for (let i = 0; i < Number(count); i++) {
  const c = process.cpuUsage();
  t = performance.now();
  const ok = WasmSso.benchArgon2idVerify(password, phc);
  const wall = performance.now() - t;
  const d = process.cpuUsage(c);
  runs.push({ wall, cpu: (d.user + d.system) / 1000, ok });
}
console.log(JSON.stringify({ load, construct, runs }));
