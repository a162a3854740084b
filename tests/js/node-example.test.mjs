// The Node.js example server (examples/node) over real HTTP on a loopback port: the REST suite.
import { test, after } from 'node:test';
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
