// `make demo`: the example Cloudflare worker on a real workerd (through miniflare), its KV
// namespace persisted under .demo/, serving Zato's SSO REST API at
// http://127.0.0.1:8787/zato/sso/ and the admin console (www/) at http://127.0.0.1:8787/.
// The first start creates a super-user and prints its credentials (kept in .demo/).
//   node examples/demo/serve.mjs [--check]   (--check: start, log in once, stop)
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { exampleWorker } from '../../tests/worker/example-worker.mjs';
import { consoleServer, viaMiniflare } from '../../tests/browser/static-server.mjs';

const root = resolve(import.meta.dirname, '../..');
const demo = resolve(process.env.DEMO_DIR ?? resolve(root, '.demo'));
let port = Number(process.env.PORT ?? 8787);
mkdirSync(demo, { recursive: true });

const secretsFile = resolve(demo, 'worker-secrets.json');
const firstStart = !existsSync(secretsFile);
const secrets = firstStart
  ? { secretKey: randomBytes(32).toString('base64'), username: 'admin', password: randomBytes(12).toString('base64url') }
  : JSON.parse(readFileSync(secretsFile, 'utf8'));
if (firstStart) writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

const mf = exampleWorker(
  { SSO_STORE: 'kv', SSO_SECRET_KEY: secrets.secretKey, SSO_ADMIN_USERNAME: secrets.username, SSO_ADMIN_PASSWORD: secrets.password },
  { kvPersist: resolve(demo, 'kv'), durableObjectsPersist: resolve(demo, 'do') },
);
await mf.ready;

// The REST API goes to the worker; everything else is the console's static files.
const server = consoleServer(root, viaMiniflare(mf));
await new Promise((r) => server.listen(port, '127.0.0.1', r));
port = server.address().port;
const base = `http://127.0.0.1:${port}`;

const login = await fetch(`${base}/zato/sso/user/login`, {
  method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ current_app: 'CRM', username: secrets.username, password: secrets.password }),
}).then((r) => r.json());

console.log(`
edge-sso demo: a Cloudflare worker on workerd (miniflare), KV persisted in .demo/kv
  admin console   ${base}/
  REST API        ${base}/zato/sso/
  super-user      ${secrets.username} / ${secrets.password}${firstStart ? '   (created now; kept in .demo/worker-secrets.json)' : '   (from .demo/worker-secrets.json)'}
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
