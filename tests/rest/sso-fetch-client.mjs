// The REST suite's client (tests/rest/suite.mjs) on a host's own `sso.fetch`, no HTTP between:
// an Sso on the given store with a super-user, cheap Argon2, and a reset hook that keeps each
// user's latest token. The installed package's `Sso` is passed in: this folder has no
// node_modules of its own, and each runtime's tests install the package beside them.
import { toRequest } from './suite.mjs';

export const ADMIN = { username: 'admin', password: 'rest admin passphrase' };

/** `{ send, admin, readResetToken }` for `restSuite(test, client)`. */
export async function ssoFetchClient(Sso, store) {
  const tokens = new Map();
  const sso = new Sso({
    store,
    secretKey: Buffer.alloc(32, 5).toString('base64'),
    config: { argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } },
    hooks: { sendPasswordReset: (m) => { tokens.set(m.username, m.token); } },
  });
  const admin = { ...ADMIN };
  await sso.user.createSuperUser('boot', { ...admin, email: 'admin@example.com' });

  // Work the responses leave behind (the password reset's token), as a Worker's waitUntil keeps it.
  const pending = [];
  const send = async (method, path, body, opts = {}) =>
    sso.fetch(toRequest('http://sso.test', method, path, body, opts), { remoteAddr: '127.0.0.1', waitUntil: (p) => pending.push(p) });
  const readResetToken = async (username) => {
    await Promise.all(pending);
    return tokens.get(username);
  };
  return { send, admin, readResetToken };
}
