// The example worker (.build/worker) set up for the REST suite (tests/rest/suite.mjs) over
// HTTP requests: one store mode (SSO_STORE), a bootstrapped super-user, cheap Argon2, and its
// reset webhook pointed at a mailbox (tests/worker/mailbox.mjs).
import { after } from 'node:test';
import { toRequest } from '../rest/suite.mjs';
import { exampleWorker } from './example-worker.mjs';
import { mailbox } from './mailbox.mjs';

export const ADMIN = { username: 'admin', password: 'worker admin passphrase' };

/** The bindings of an example worker on `store` whose super-user is ADMIN. */
export function adminBindings(store, keyFill = 11) {
  return {
    SSO_STORE: store,
    SSO_SECRET_KEY: Buffer.alloc(32, keyFill).toString('base64'),
    SSO_ADMIN_USERNAME: ADMIN.username,
    SSO_ADMIN_PASSWORD: ADMIN.password,
    SSO_CONFIG: JSON.stringify({ argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } }),
  };
}

/**
 * Starts the worker on `store` (`options` added to Miniflare's) and disposes of it after the
 * file's tests: `{ mf, client }`, `client` being `restSuite`'s (send, admin, readResetToken).
 * Each request arrives as Cloudflare delivers it, with CF-Connecting-IP.
 */
export function exampleWorkerForRestSuite(store, options = {}) {
  const mail = mailbox();
  const mf = exampleWorker({ ...adminBindings(store), ...mail.bindings }, { outboundService: mail.outboundService, ...options });
  after(() => mf.dispose());
  const send = async (method, path, body, opts) => {
    const req = toRequest('http://worker.test', method, path, body, opts);
    const init = { method: req.method, headers: Object.fromEntries(req.headers) };
    if (req.body) init.body = Buffer.from(await req.arrayBuffer());
    init.headers['cf-connecting-ip'] = '127.0.0.1';
    return mf.dispatchFetch(req.url, init);
  };
  return { mf, client: { send, admin: ADMIN, readResetToken: mail.read } };
}

/** A call's JSON answer through `send`, with current_app CRM: for tests beside the suite. */
export const callJson = (send) => async (method, path, body) => (await send(method, `/zato/sso${path}`, { current_app: 'CRM', ...body })).json();
