// The REST suite (tests/rest/suite.mjs) against sso.fetch on PostgresStore.
import { test } from 'node:test';
import { Sso } from 'edge-sso';
import { restSuite, toRequest } from '../rest/suite.mjs';
import { freshStore } from './helpers.mjs';

const tokens = new Map();
const sso = new Sso({
  store: await freshStore(),
  secretKey: Buffer.alloc(32, 5).toString('base64'),
  config: { argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } },
  hooks: { sendPasswordReset: (m) => { tokens.set(m.username, m.token); } },
});
const admin = { username: 'admin', password: 'rest admin passphrase' };
await sso.user.createSuperUser('boot', { ...admin, email: 'admin@example.com' });

const pending = [];

async function send(method, path, body, opts = {}) {
  return sso.fetch(toRequest('http://sso.test', method, path, body, opts), { remoteAddr: '127.0.0.1', waitUntil: (p) => pending.push(p) });
}

restSuite(test, {
  send,
  admin,
  readResetToken: async (username) => {
    await Promise.all(pending);
    return tokens.get(username);
  },
});
