// The REST suite against sso.fetch with real Request objects.
import { test } from 'node:test';
import { Sso, MemoryStore } from 'edge-sso';
import { restSuite, toRequest } from '../rest/suite.mjs';

const tokens = new Map();
const sso = new Sso({
  store: new MemoryStore(),
  secretKey: Buffer.alloc(32, 5).toString('base64'),
  config: { argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } },
  hooks: { sendPasswordReset: (m) => { tokens.set(m.username, m.token); } },
});
const admin = { username: 'admin', password: 'rest admin passphrase' };
await sso.user.createSuperUser('boot', { ...admin, email: 'admin@example.com' });

async function send(method, path, body, opts = {}) {
  return sso.fetch(toRequest('http://sso.test', method, path, body, opts), { remoteAddr: '127.0.0.1' });
}

restSuite(test, {
  send,
  admin,
  readResetToken: async (username) => {
    // The suite's users have no email: give them one and ask again.
    return tokens.get(username);
  },
});
