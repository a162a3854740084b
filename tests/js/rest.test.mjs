// The REST suite against sso.fetch with real Request objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sso, MemoryStore } from 'edge-sso';
import { restSuite, toRequest } from '../rest/suite.mjs';
import { ssoFetchClient } from '../rest/sso-fetch-client.mjs';

restSuite(test, await ssoFetchClient(Sso, new MemoryStore()));

/** An Sso with user "held" (with an email) whose reset deliveries wait until `release()`. */
async function heldDelivery() {
  let release;
  const gate = new Promise((r) => { release = r; });
  const delivered = [];
  const s = new Sso({
    store: new MemoryStore(), secretKey: Buffer.alloc(32, 6).toString('base64'), config: { argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } },
    hooks: { sendPasswordReset: async (m) => { await gate; delivered.push(m.username); } },
  });
  await s.user.createSuperUser(null, { username: 'held', password: 'rest admin passphrase', email: 'held@example.com' });
  return { s, delivered, release };
}

test('POST /password/reset answers before the lookup and the delivery hook run (spec §8.2)', { timeout: 10_000 }, async () => {
  const { s, delivered, release } = await heldDelivery();
  const later = [];
  const post = (credential) => s.fetch(toRequest('http://sso.test', 'POST', '/zato/sso/password/reset', { current_app: 'CRM', credential }), { waitUntil: (p) => later.push(p) });
  // A known user's answer comes back while its delivery is still held: the same answer, at the
  // same point, as an unknown user's.
  const [known, unknown] = await Promise.all([post('held'), post('nobody-at-all')]);
  assert.deepEqual([known.status, (await known.json()).status], [200, 'ok']);
  assert.deepEqual([unknown.status, (await unknown.json()).status], [200, 'ok']);
  assert.equal(later.length, 2);
  assert.deepEqual(delivered, []);
  release();
  await Promise.all(later);
  assert.deepEqual(delivered, ['held']);
});

test('on Cloudflare Workers without waitUntil, the answer waits for the reset so that none is lost', { timeout: 10_000 }, async () => {
  const { s, delivered, release } = await heldDelivery();
  const had = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
  Object.defineProperty(globalThis, 'navigator', { value: { userAgent: 'Cloudflare-Workers' }, configurable: true });
  try {
    let answered = false;
    const answer = s.fetch(toRequest('http://sso.test', 'POST', '/zato/sso/password/reset', { current_app: 'CRM', credential: 'held' })).then((r) => { answered = true; return r; });
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(answered, false, 'the answer waits for the delivery');
    release();
    assert.equal((await answer).status, 200);
    assert.deepEqual(delivered, ['held']);
  } finally {
    if (had) Object.defineProperty(globalThis, 'navigator', had);
    else delete globalThis.navigator;
  }
});

test('REST sign-up: the built-in validator withholds codes its flags keep back; a host validator\'s codes are shown (spec §3.2, §8.1)', async () => {
  const s = new Sso({
    store: new MemoryStore(), secretKey: Buffer.alloc(32, 8).toString('base64'), config: { argon2: { m_cost: 256, t_cost: 1, p_cost: 1 } },
    hooks: { validateSignup: ({ username }) => (username.startsWith('bot') ? { is_valid: false, sub_status: ['E001001'] } : { is_valid: true }) },
  });
  await s.user.createSuperUser(null, { username: 'taken', password: 'rest admin passphrase' });
  const signup = async (username) => {
    const r = await s.fetch(toRequest('http://sso.test', 'POST', '/zato/sso/user/signup', { current_app: 'CRM', username, password: 'a sign-up passphrase' }));
    return [r.status, (await r.json()).sub_status];
  };
  assert.deepEqual(await signup('taken'), [403, ['E005001']]);
  assert.deepEqual(await signup('bot-17'), [403, ['E001001']]);
  assert.equal((await signup('person'))[0], 200);
});
