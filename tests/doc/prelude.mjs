// The context README fragments (`<!-- doc-test: fragment -->`) run in: an Sso on a MemoryStore,
// a logged-in super-user (`ust`), another user (`userId`, username 'jo', jo@example.com), and
// stand-ins for what a host provides: `mailer` records the reset message it is asked to send,
// and `tokenFromTheEmail` reads the token out of that message.
import { randomBytes } from 'node:crypto';
import { Sso, SsoError, MemoryStore } from 'edge-sso';

export const store = new MemoryStore();
export const secretKey = randomBytes(32).toString('base64');
export const sso = new Sso({ store, secretKey });
export const cid = null;
export const ip = '10.0.0.1';
await sso.user.createSuperUser('prelude', { username: 'boss', password: 'the old passphrase' });
export const { ust } = await sso.user.login('prelude', 'boss', 'the old passphrase', 'CRM', ip);
const jo = { username: 'jo', password: 'a long passphrase', email: 'jo@example.com' };
await sso.user.createUser('prelude', jo, ust, 'CRM', ip, { autoApprove: true });
export const userId = jo.user_id;
export const sent = [];
export let tokenFromTheEmail;
export const mailer = {
  send: (to, subject, body) => {
    sent.push({ to, subject, body });
    tokenFromTheEmail = /[A-Za-z0-9_-]{20,}/.exec(body)?.[0];
  },
};
export { Sso, SsoError, MemoryStore };
