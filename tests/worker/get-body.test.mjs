// What workerd does with a GET that carries a body (Zato's Python clients send GET inputs that
// way): the body reaches the worker, and sso.fetch reads it, so those clients work unchanged
// on Workers as run by workerd. Sent with node:http over a real socket (fetch() refuses to
// send a body with a GET).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { exampleWorker } from './example-worker.mjs';
import { adminBindings, ADMIN as admin } from './example-worker-rest.mjs';

const mf = exampleWorker(adminBindings('kv', 12), { port: 0 });
after(() => mf.dispose());

function send(base, method, path, body) {
  return new Promise((resolve, reject) => {
    const headers = body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {};
    const req = http.request(new URL(path, base), { method, headers }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text) }));
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

test('[workerd] a GET body reaches the worker: Zato clients\' GET inputs work as sent', async () => {
  const base = await mf.ready;
  const login = await send(base, 'POST', '/zato/sso/user/login', JSON.stringify({ ...admin, current_app: 'CRM' }));
  assert.equal(login.json.status, 'ok');
  const me = await send(base, 'GET', '/zato/sso/user', JSON.stringify({ ust: login.json.ust, current_app: 'CRM' }));
  assert.equal(me.status, 200);
  assert.equal(me.json.username, 'admin');
});
