// `make demo`: the example Cloudflare worker on a real workerd (through miniflare), its KV
// namespace persisted under .demo/, serving Zato's SSO REST API at
// http://127.0.0.1:8787/zato/sso/ and the admin console (www/) at http://127.0.0.1:8787/.
// The first start creates a super-user and prints its credentials (kept in .demo/, or in
// DEMO_DIR). The console opens in REST mode (console-config.json says so), and the demo adds
// one extension for it: GET /console/audit, the worker's audit records, for super-users.
//   node examples/demo/serve.mjs [--check]   (--check: start, log in once, stop)
// PORT (default 8787; 0: any free port) and DEMO_DIR choose where it listens and keeps data.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { exampleWorker } from '../../tests/worker/example-worker.mjs';
import { consoleServer, viaMiniflare } from '../../tests/browser/static-server.mjs';

const root = resolve(import.meta.dirname, '../..');
const demo = resolve(process.env.DEMO_DIR ?? resolve(root, '.demo'));
let port = Number(process.env.PORT ?? 8787);
mkdirSync(demo, { recursive: true });
/** A path in the demo folder as the reader can use it: relative to here when inside, else absolute. */
const shown = (name) => {
  const r = relative(process.cwd(), resolve(demo, name));
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : resolve(demo, name);
};

// The worker logs each audit record as one JSON line (SSO_AUDIT=console); they are kept here
// and in audit.jsonl of the demo folder, so the console's audit page has a trail to show.
const auditFile = resolve(demo, 'audit.jsonl');
const AUDIT_KEPT = 5000;
const audit = existsSync(auditFile) ? readFileSync(auditFile, 'utf8').split('\n').filter(Boolean).slice(-AUDIT_KEPT).map((l) => JSON.parse(l)) : [];
function onWorkerLog({ message }) {
  let event;
  try {
    event = JSON.parse(message);
  } catch {
    return;
  }
  if (!event || typeof event.op !== 'string' || typeof event.cid !== 'string') return;
  audit.push(event);
  if (audit.length > AUDIT_KEPT) audit.splice(0, audit.length - AUDIT_KEPT);
  appendFileSync(auditFile, `${JSON.stringify(event)}\n`, { mode: 0o600 });
}

const secretsFile = resolve(demo, 'worker-secrets.json');
const firstStart = !existsSync(secretsFile);
const secrets = firstStart
  ? { secretKey: randomBytes(32).toString('base64'), username: 'admin', password: randomBytes(12).toString('base64url') }
  : JSON.parse(readFileSync(secretsFile, 'utf8'));
if (firstStart) writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

const mf = exampleWorker(
  { SSO_STORE: 'kv', SSO_SECRET_KEY: secrets.secretKey, SSO_ADMIN_USERNAME: secrets.username, SSO_ADMIN_PASSWORD: secrets.password, SSO_AUDIT: 'console' },
  { kvPersist: resolve(demo, 'kv'), durableObjectsPersist: resolve(demo, 'do'), handleStructuredLogs: onWorkerLog },
);
await mf.ready;

/** GET /console/audit: the kept records, for a bearer UST of a super-user only. */
async function auditEndpoint(req, res) {
  const answer = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'GET') return answer(405, { status: 'error', details: 'GET only' });
  const authorization = req.headers.authorization ?? '';
  const me = await mf.dispatchFetch('http://localhost/zato/sso/user?current_app=CRM', { headers: { authorization } })
    .then((r) => r.json()).catch(() => null);
  if (!me || me.status !== 'ok') return answer(401, { status: 'error', details: 'log in first' });
  if (me.is_super_user !== true) return answer(403, { status: 'error', details: 'super-users only' });
  return answer(200, { status: 'ok', result: audit });
}

// The REST API goes to the worker; the console asks console-config.json which backend to use;
// everything else is the console's static files.
const files = consoleServer(root, viaMiniflare(mf));
const server = createServer((req, res) => {
  const path = req.url.split('?')[0];
  if (path === '/console-config.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    // The demo's worker runs with the default config: emails sealed, so no search by email.
    return res.end(JSON.stringify({ mode: 'rest', audit: '/console/audit', emailSearch: false }));
  }
  if (path === '/console/audit') return void auditEndpoint(req, res);
  files.emit('request', req, res);
});
try {
  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', ok);
  });
} catch (e) {
  await mf.dispose();
  if (e.code === 'EADDRINUSE') {
    console.error(`Port ${port} is in use (another make demo?): stop it, or choose another port, e.g. PORT=${port + 1} make demo`);
  } else {
    console.error(`Cannot listen on 127.0.0.1:${port}: ${e.message}`);
  }
  process.exit(1);
}
port = server.address().port;
const base = `http://127.0.0.1:${port}`;

const login = await fetch(`${base}/zato/sso/user/login`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ current_app: 'CRM', username: secrets.username, password: secrets.password }),
}).then((r) => r.json());

console.log(`
edge-sso demo: a Cloudflare worker on workerd (miniflare), KV persisted in ${shown('kv')}
  admin console   ${base}/   (REST mode: log in with the super-user below)
  REST API        ${base}/zato/sso/
  super-user      ${secrets.username} / ${secrets.password}${firstStart ? `   (created now; kept in ${shown('worker-secrets.json')})` : `   (from ${shown('worker-secrets.json')})`}
  login check     ${login.status === 'ok' ? 'ok, got a UST' : JSON.stringify(login)}

Try it:
  curl -s -X POST ${base}/zato/sso/user/login -H 'content-type: application/json' \\
       -d '{"current_app": "CRM", "username": "${secrets.username}", "password": "${secrets.password}"}'
  curl -s "${base}/zato/sso/user?current_app=CRM" -H 'authorization: Bearer ${login.ust ?? '<the ust from the login above>'}'
`);

const stop = async () => {
  server.close();
  await mf.dispose();
  process.exit(0);
};
if (process.argv.includes('--check')) {
  await stop();
} else {
  console.log('Ctrl-C stops it.');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
