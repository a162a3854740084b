// The Node.js example server (examples/node) over real HTTP on a loopback port: the REST suite.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { createSso, serve } from '../../examples/node/server.mjs';
import { restSuite, toRequest } from '../rest/suite.mjs';

const admin = { username: 'admin', password: 'node example passphrase' };
const sso = await createSso({ secretKey: Buffer.alloc(32, 21).toString('base64'), admin, config: { argon2: { m_cost: 256, t_cost: 1 } } });
const server = serve(sso);
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
after(() => server.close());
const base = `http://127.0.0.1:${server.address().port}`;

restSuite((name, fn) => test(`[node:http] ${name}`, fn), {
  send: async (method, path, body, opts) => fetch(toRequest(base, method, path, body, opts)),
  admin,
});

/** One raw HTTP/1.1 exchange, so that headers fetch would refuse to send can be sent. */
function rawRequest(text) {
  return new Promise((resolve, reject) => {
    const socket = connect(server.address().port, '127.0.0.1', () => socket.end(text));
    let out = '';
    socket.on('data', (d) => { out += d; });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

test('[node:http] a malformed request or a vanished client gets an answer, not a dead server', async () => {
  const bad = await rawRequest('POST /zato/sso/user/login HTTP/1.1\r\nHost: a b\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
  assert.match(bad, /^HTTP\/1\.1 [2-4]\d\d /);
  // A client that hangs up in the middle of its body.
  await new Promise((resolve) => {
    const socket = connect(server.address().port, '127.0.0.1', () => {
      socket.write('POST /zato/sso/user/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a');
      setTimeout(() => { socket.destroy(); resolve(); }, 50);
    });
  });
  // Still serving.
  const r = await fetch(toRequest(base, 'POST', '/zato/sso/user/login', { current_app: 'CRM', ...admin }));
  assert.equal(r.status, 200);
});

test('[node:http] toNodeHandler: a GET carrying its inputs as a JSON body, as Zato\'s clients send them', async () => {
  const login = await (await fetch(`${base}/zato/sso/user/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ current_app: 'CRM', ...admin }),
  })).json();
  assert.equal(login.status, 'ok', JSON.stringify(login));
  const body = JSON.stringify({ current_app: 'CRM', ust: login.ust });
  const answer = await rawRequest(`GET /zato/sso/user HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  assert.match(answer, /^HTTP\/1\.1 200 /);
  assert.match(answer, /"username":"admin"/);
  // A body that is not a JSON object is refused, clearly.
  const bad = await rawRequest('GET /zato/sso/user HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc');
  assert.match(bad, /^HTTP\/1\.1 400 /);
});
