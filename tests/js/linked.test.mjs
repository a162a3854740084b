// Linked authentication through the package (spec §3.18): links, `sso.authenticate(request)`
// with Basic Auth and with JWTs made by the `jose` package, and the REST side.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SignJWT, generateKeyPair, exportJWK, UnsecuredJWT, base64url } from 'jose';
import { Sso, MemoryStore } from 'edge-sso';
import { KEY, T0, APP, ADDR, ADMIN, ADMIN_PW, FAST, rejectsWith, totp } from './helpers.mjs';

const HS_SECRET = 'a shared secret of at least thirty-two bytes';
const PW = 'user passphrase 1';

async function world({ defs, config = {} } = {}) {
  const clock = { now: T0 };
  const events = [];
  const rsa = await generateKeyPair('RS256', { extractable: true });
  const ec = await generateKeyPair('ES256', { extractable: true });
  const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1' };
  const ecJwk = await exportJWK(ec.publicKey);
  const sso = new Sso({
    store: new MemoryStore({ now: () => clock.now }),
    audit: (e) => { events.push(e); },
    secretKey: KEY,
    config: { ...FAST, ...config },
    now: () => clock.now,
    securityDefinitions: defs ?? {
      basic_auth: [{ id: 1, username: 'svc-basic', password: 'basic secret' }, { id: '2', username: 'svc-hashed', password_hash: '$pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww' }],
      jwt: [
        { id: 10, username: 'svc-hs', secret: HS_SECRET },
        { id: 11, username: 'svc-rs', jwks: { keys: [rsaJwk] }, issuer: 'https://issuer.example', audience: 'edge-sso' },
        { id: 12, username: 'svc-es', jwk: ecJwk, issuer: 'https://issuer.example', audience: 'edge-sso' },
      ],
    },
  });
  await sso.user.createSuperUser('boot', { username: ADMIN, password: ADMIN_PW });
  const admin = (await sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR)).ust;
  const data = { username: 'linked-user', password: PW };
  await sso.user.createUser(null, data, admin, APP, ADDR, { autoApprove: true });
  return { sso, clock, events, admin, userId: data.user_id, rsa, ec, rsaJwk };
}

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const req = (authorization, headers = {}) => new Request('https://sso.example/zato/sso/user', { headers: { authorization, ...headers } });
const nowSec = (w) => Math.floor(w.clock.now / 1000);

async function hsToken(w, claims = {}, secret = HS_SECRET) {
  return new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('svc-hs').setIssuedAt(nowSec(w)).setExpirationTime(nowSec(w) + 300)
    .sign(new TextEncoder().encode(secret));
}

test('a linked Basic Auth credential gets the user a session, renewed while it lives', async () => {
  const w = await world();
  assert.equal(await w.sso.authenticate(req(basic('svc-basic', 'basic secret'))).catch((e) => e.sub_status[0]), 'E005001', 'not linked yet');
  assert.deepEqual(await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'basic_auth', 'svc-basic', true, APP, ADDR), { user_id: w.userId, auth_id: '1' });
  const first = await w.sso.authenticate(req(basic('svc-basic', 'basic secret')), { remoteAddr: ADDR });
  assert.equal(first.renewed, false);
  assert.equal(first.user_id, w.userId);
  assert.ok(first.expiration_time instanceof Date);
  assert.equal((await w.sso.user.getCurrentUser(null, first.ust, APP, ADDR)).username, 'linked-user');
  const again = await w.sso.authenticate(req(basic('svc-basic', 'basic secret')), { remoteAddr: ADDR });
  assert.equal(again.renewed, true);
  assert.equal(again.ust, first.ust);
  const [session] = (await w.sso.user.session.getList(null, first.ust, null, null, APP, ADDR));
  assert.equal(session.ext_session_id, 'basic_auth.1');
  // A hashed definition (Zato's PBKDF2) works the same.
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'zato.basic_auth', 'svc-hashed', true, APP, ADDR);
  assert.equal((await w.sso.authenticate(req(basic('svc-hashed', 'password')))).user_id, w.userId);
  // No credential: null; a UST bearer is no linked credential either.
  assert.equal(await w.sso.authenticate(new Request('https://sso.example/')), null);
  assert.equal(await w.sso.authenticate(req(`Bearer ${first.ust}`)), null);
  // Secrets stay out of the audit log.
  const text = JSON.stringify(w.events);
  assert.ok(!text.includes('basic secret') && !text.includes(first.ust));
});

test('wrong, unknown and unlinked Basic credentials are refused alike, and a burst is throttled', async () => {
  const w = await world({ config: { throttle: { per_user_address: 3, per_address: 1000 } } });
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'basic_auth', 'svc-basic', true, APP, ADDR);
  await rejectsWith(assert, w.sso.authenticate(req(basic('svc-basic', 'wrong'))), 'E005001', false);
  await rejectsWith(assert, w.sso.authenticate(req(basic('nobody', 'basic secret'))), 'E005001', false);
  await rejectsWith(assert, w.sso.authenticate(req('Basic !!!')), 'E008002');
  await rejectsWith(assert, w.sso.authenticate(req(basic('svc-hashed', 'password'))), 'E005001', false);
  // Many wrong guesses at once: the throttle counts each before checking it, so afterwards even
  // the right password is refused for a while.
  const burst = await Promise.allSettled(Array.from({ length: 12 }, () => w.sso.authenticate(req(basic('svc-basic', 'guess')), { remoteAddr: '10.9.9.9' })));
  // Each is refused: a wrong password (E005001), or a counter too contended to count on
  // (E008005), which is refused before any password check too.
  assert.ok(burst.every((r) => r.status === 'rejected' && ['E005001', 'E008005'].includes(r.reason.sub_status[0])), JSON.stringify(burst.map((r) => r.reason?.sub_status)));
  await rejectsWith(assert, w.sso.authenticate(req(basic('svc-basic', 'basic secret')), { remoteAddr: '10.9.9.9' }), 'E005001', false);
  assert.ok(await w.sso.authenticate(req(basic('svc-basic', 'basic secret')), { remoteAddr: '10.8.8.8' }));
});

test('JWTs made by jose verify with HS256, RS256 (JWKS, kid, iss, aud) and ES256', async () => {
  const w = await world();
  for (const name of ['svc-hs', 'svc-rs', 'svc-es']) await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'jwt', name, true, APP, ADDR);
  const hs = await hsToken(w);
  const rs = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).setSubject('svc-rs').setIssuer('https://issuer.example')
    .setAudience('edge-sso').setExpirationTime(nowSec(w) + 300).sign(w.rsa.privateKey);
  const es = await new SignJWT({ username: 'svc-es' }).setProtectedHeader({ alg: 'ES256' }).setIssuer('https://issuer.example').setAudience('edge-sso')
    .setExpirationTime(nowSec(w) + 300).sign(w.ec.privateKey);
  for (const token of [hs, rs, es]) {
    const r = await w.sso.authenticate(req(`Bearer ${token}`));
    assert.equal(r.user_id, w.userId);
    assert.equal(r.renewed, false);
  }
  // The same token again renews its own session; another token of the same definition gets
  // another session (Zato's ext_session_id ends with the token's SHA-256).
  assert.equal((await w.sso.authenticate(req(`Bearer ${hs}`))).renewed, true);
  const hs2 = await hsToken(w, { n: 2 });
  assert.equal((await w.sso.authenticate(req(`Bearer ${hs2}`))).renewed, false);
});

test('bad JWTs are refused: expired, wrong key, alg none, algorithm confusion, wrong subject, issuer or audience, no exp', async () => {
  const w = await world();
  for (const name of ['svc-hs', 'svc-rs']) await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'jwt', name, true, APP, ADDR);
  const enc = (s) => new TextEncoder().encode(s);
  const bad = {
    expired: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('svc-hs').setExpirationTime(nowSec(w) - 120).sign(enc(HS_SECRET)),
    wrongKey: await hsToken(w, {}, 'another secret of at least thirty-two bytes'),
    none: new UnsecuredJWT({ sub: 'svc-hs', exp: nowSec(w) + 300 }).encode(),
    // The RS256 definition's public key used as an HMAC secret: a classic confusion attack.
    confusion: await new SignJWT({}).setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' }).setSubject('svc-rs').setIssuer('https://issuer.example')
      .setAudience('edge-sso').setExpirationTime(nowSec(w) + 300).sign(enc(JSON.stringify(w.rsaJwk))),
    wrongSubject: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('svc-rs').setExpirationTime(nowSec(w) + 300).sign(enc(HS_SECRET)),
    wrongAudience: await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).setSubject('svc-rs').setIssuer('https://issuer.example')
      .setAudience('someone-else').setExpirationTime(nowSec(w) + 300).sign(w.rsa.privateKey),
    wrongIssuer: await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).setSubject('svc-rs').setIssuer('https://evil.example')
      .setAudience('edge-sso').setExpirationTime(nowSec(w) + 300).sign(w.rsa.privateKey),
    noExp: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('svc-hs').sign(enc(HS_SECRET)),
    future: await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('svc-hs').setNotBefore(nowSec(w) + 3600).setExpirationTime(nowSec(w) + 7200).sign(enc(HS_SECRET)),
  };
  const [h, p, s] = (await hsToken(w)).split('.');
  bad.tampered = `${h}.${base64url.encode(JSON.stringify({ sub: 'svc-hs', exp: nowSec(w) + 9999, admin: true }))}.${s}`;
  void p;
  for (const [why, token] of Object.entries(bad)) {
    await assert.rejects(w.sso.authenticate(req(`Bearer ${token}`)), (e) => {
      assert.deepEqual(e.sub_status, ['E005001'], `${why}: ${e.message}`);
      return true;
    }, why);
  }
});

test('a JWT user with TOTP on needs a code; a Basic Auth user never does', async () => {
  const w = await world();
  const key = await w.sso.user.resetTotpKey(null, w.admin, APP, ADDR, { userId: w.userId });
  await w.sso.user.updateUserById(null, w.userId, { is_totp_enabled: true }, w.admin, APP, ADDR);
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'jwt', 'svc-hs', true, APP, ADDR);
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'basic_auth', 'svc-basic', true, APP, ADDR);
  const token = await hsToken(w);
  await rejectsWith(assert, w.sso.authenticate(req(`Bearer ${token}`)), 'E005008');
  const r = await w.sso.authenticate(req(`Bearer ${token}`, { 'x-zato-sso-totp-code': totp(key, w.clock.now) }));
  assert.equal(r.user_id, w.userId);
  assert.ok(await w.sso.authenticate(req(basic('svc-basic', 'basic secret'))));
});

test('links: super-users only, one user per definition, listing, and unlinking ends the external sessions', async () => {
  const w = await world();
  const other = { username: 'other', password: PW };
  await w.sso.user.createUser(null, other, w.admin, APP, ADDR, { autoApprove: true });
  const userUst = (await w.sso.user.login(null, 'linked-user', PW, APP, ADDR)).ust;
  await rejectsWith(assert, w.sso.user.createLinkedAuth(null, userUst, w.userId, 'basic_auth', 'svc-basic', true, APP, ADDR), 'E005001');
  await rejectsWith(assert, w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'ldap', 'svc-basic', true, APP, ADDR), 'E008002');
  await rejectsWith(assert, w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'basic_auth', 'nobody', true, APP, ADDR), 'E008002');
  await rejectsWith(assert, w.sso.user.createLinkedAuth(null, w.admin, 'zusr-nobody', 'basic_auth', 'svc-basic', true, APP, ADDR), 'E008001');
  // Two super-users linking one definition to two users at once: exactly one wins.
  const both = await Promise.allSettled([w.userId, other.user_id].map((id) => w.sso.user.createLinkedAuth(null, w.admin, id, 'basic_auth', 'svc-basic', true, APP, ADDR)));
  assert.equal(both.filter((r) => r.status === 'fulfilled').length, 1, JSON.stringify(both.map((r) => r.reason?.sub_status)));
  const winner = both.findIndex((r) => r.status === 'fulfilled') === 0 ? w.userId : other.user_id;
  await rejectsWith(assert, w.sso.user.createLinkedAuth(null, w.admin, winner, 'basic_auth', 'svc-basic', true, APP, ADDR), 'E008001');
  const list = await w.sso.user.getLinkedAuthList(null, w.admin, APP, ADDR, winner);
  assert.equal(list.length, 1);
  assert.equal(list[0].auth_type, 'basic_auth');
  assert.equal(list[0].auth_username, 'svc-basic');
  assert.ok(list[0].creation_time instanceof Date);
  if (winner === w.userId) assert.equal((await w.sso.user.getLinkedAuthList(null, userUst, APP, ADDR)).length, 1);
  await rejectsWith(assert, w.sso.user.getLinkedAuthList(null, userUst, APP, ADDR, w.admin === winner ? w.userId : other.user_id), winner === other.user_id ? 'E005001' : 'E005001');
  const { ust } = await w.sso.authenticate(req(basic('svc-basic', 'basic secret')));
  await w.sso.user.deleteLinkedAuth(null, w.admin, winner, 'basic_auth', 'svc-basic', APP, ADDR);
  await rejectsWith(assert, w.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001');
  await rejectsWith(assert, w.sso.authenticate(req(basic('svc-basic', 'basic secret'))), 'E005001');
  await rejectsWith(assert, w.sso.user.deleteLinkedAuth(null, w.admin, winner, 'basic_auth', 'svc-basic', APP, ADDR), 'E008001');
  // Deleting a linked user frees its definition for someone else.
  await w.sso.user.createLinkedAuth(null, w.admin, other.user_id, 'jwt', 'svc-hs', true, APP, ADDR);
  await w.sso.user.deleteUserById(null, other.user_id, w.admin, APP, ADDR);
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'jwt', 'svc-hs', true, APP, ADDR);
});

test('a burst of first requests with one JWT all get working sessions', async () => {
  const w = await world();
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'jwt', 'svc-hs', true, APP, ADDR);
  const token = await hsToken(w);
  const results = await Promise.all(Array.from({ length: 10 }, () => w.sso.authenticate(req(`Bearer ${token}`))));
  for (const r of results) assert.equal((await w.sso.user.getCurrentUser(null, r.ust, APP, ADDR)).username, 'linked-user');
});

test('over REST: a linked credential answers with X-Zato-SSO-UST; /zato/sso/user/linked lists, links and unlinks', async () => {
  const w = await world();
  const call = (method, body, headers = {}) => w.sso.fetch(new Request('https://sso.example/zato/sso/user/linked', {
    method, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body),
  }), { remoteAddr: ADDR });
  let r = await call('POST', { ust: w.admin, current_app: APP, user_id: w.userId, auth_type: 'basic_auth', auth_username: 'svc-basic' });
  assert.equal(r.status, 200);
  assert.equal((await r.json()).auth_id, '1');
  r = await w.sso.fetch(new Request(`https://sso.example/zato/sso/user?current_app=${APP}`, { headers: { authorization: basic('svc-basic', 'basic secret') } }), { remoteAddr: ADDR });
  assert.equal(r.status, 200);
  const ust = r.headers.get('x-zato-sso-ust');
  assert.ok(ust);
  assert.equal((await r.json()).username, 'linked-user');
  r = await w.sso.fetch(new Request(`https://sso.example/zato/sso/user?current_app=${APP}`, { headers: { authorization: basic('svc-basic', 'nope') } }), { remoteAddr: ADDR });
  assert.equal(r.status, 403);
  assert.deepEqual((await r.json()).sub_status, ['E005001']);
  assert.equal(r.headers.get('x-zato-sso-ust'), null);
  r = await w.sso.fetch(new Request(`https://sso.example/zato/sso/user/linked?ust=${encodeURIComponent(w.admin)}&current_app=${APP}&user_id=${w.userId}`), { remoteAddr: ADDR });
  const listed = await r.json();
  assert.equal(listed.status, 'ok');
  assert.equal(listed.result[0].auth_username, 'svc-basic');
  r = await call('DELETE', { ust: w.admin, current_app: APP, user_id: w.userId, auth_type: 'basic_auth', auth_username: 'svc-basic' });
  assert.equal((await r.json()).status, 'ok');
  r = await call('PUT', { ust: w.admin, current_app: APP });
  assert.equal(r.status, 405);
});

test('security definitions are checked when the Sso is made', () => {
  const make = (securityDefinitions) => () => new Sso({ store: new MemoryStore(), secretKey: KEY, securityDefinitions });
  const codeOf = (fn) => { try { fn(); return 'ok'; } catch (e) { return e.sub_status?.[0]; } };
  assert.equal(codeOf(make({ jwt: [{ id: 1, username: 'a', secret: 'short' }] })), 'E008002');
  assert.equal(codeOf(make({ jwt: [{ id: 1, username: 'a', secret: HS_SECRET, jwk: {} }] })), 'E008002');
  assert.equal(codeOf(make({ jwt: [{ id: 1, username: 'a', jwk: { kty: 'oct', k: 'abc' } }] })), 'E008002');
  assert.equal(codeOf(make({ basic_auth: [{ id: 1, username: 'a' }] })), 'E008002');
  assert.equal(codeOf(make({ basic_auth: [{ id: 1, username: 'a', password: 'x', extra: 1 }] })), 'E008002');
  assert.equal(codeOf(make({ basic_auth: [{ id: 1, username: 'a', password: 'x' }, { id: 1, username: 'b', password: 'y' }] })), 'E008002');
  assert.equal(codeOf(make({ ldap: [] })), 'E008002');
  // A public key without the issuer and audience it is for would accept another relying
  // party's tokens.
  assert.equal(codeOf(make({ jwt: [{ id: 1, username: 'a', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' } }] })), 'E008002');
  assert.equal(codeOf(make({ jwt: [{ id: 1, username: 'a', jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, issuer: 'https://i' }] })), 'E008002');
  let message = '';
  try { make({ basic_auth: [{ id: 1, username: 'a', password: 12345678901 }] })(); } catch (e) { message = e.message; }
  assert.ok(message && !message.includes('12345678901'), message);
  assert.equal(codeOf(make({ basic_auth: [{ id: 1, username: 'a', password: 'x' }], jwt: [] })), 'ok');
});

test('Basic credentials on a cross-site request are refused (a browser attaches cached ones to any request)', async () => {
  const w = await world();
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'basic_auth', 'svc-basic', true, APP, ADDR);
  const auth = basic('svc-basic', 'basic secret');
  await rejectsWith(assert, w.sso.authenticate(req(auth, { 'sec-fetch-site': 'cross-site' })), 'E005001', false);
  await rejectsWith(assert, w.sso.authenticate(req(auth, { 'sec-fetch-site': 'same-site' })), 'E005001', false);
  await rejectsWith(assert, w.sso.authenticate(req(auth, { origin: 'https://evil.example' })), 'E005001', false);
  assert.ok(await w.sso.authenticate(req(auth, { 'sec-fetch-site': 'same-origin' })));
  assert.ok(await w.sso.authenticate(req(auth, { origin: 'https://sso.example' })));
  assert.ok(await w.sso.authenticate(req(auth)), 'a client that is no browser sends neither header');
  // A cross-site form POST through sso.fetch: refused before it reaches an endpoint.
  const r = await w.sso.fetch(new Request(`https://sso.example/zato/sso/user/lock?user_id=${w.userId}&current_app=${APP}`, {
    method: 'POST', headers: { authorization: auth, 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
  }), { remoteAddr: ADDR });
  assert.equal(r.status, 403);
  const me = await w.sso.user.getUserById(null, w.userId, w.admin, APP, ADDR);
  assert.equal(me.is_locked, false);
  // A JWT is never attached by a browser on its own: it is accepted from other origins.
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'jwt', 'svc-hs', true, APP, ADDR);
  assert.ok(await w.sso.authenticate(req(`Bearer ${await hsToken(w)}`, { origin: 'https://app.example' })));
});

test('one JWT has one spelling and one session: re-encoded variants are refused or share its session', async () => {
  const w = await world();
  await w.sso.user.createLinkedAuth(null, w.admin, w.userId, 'jwt', 'svc-es', true, APP, ADDR);
  const token = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('svc-es').setIssuer('https://issuer.example')
    .setAudience('edge-sso').setExpirationTime(nowSec(w) + 300).sign(w.ec.privateKey);
  const first = await w.sso.authenticate(req(`Bearer ${token}`));
  // The same claims signed again (ECDSA signatures differ each time): the same session.
  const resigned = await new SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setSubject('svc-es').setIssuer('https://issuer.example')
    .setAudience('edge-sso').setExpirationTime(nowSec(w) + 300).sign(w.ec.privateKey);
  if (resigned.split('.')[1] === token.split('.')[1]) {
    const again = await w.sso.authenticate(req(`Bearer ${resigned}`));
    assert.equal(again.ust, first.ust);
    assert.equal(again.renewed, true);
  }
  // Non-canonical base64url (trailing bits set in the last character) is refused.
  const [h, p, sig] = token.split('.');
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = sig[sig.length - 1];
  const bumped = alphabet[alphabet.indexOf(last) + 1] ?? alphabet[alphabet.indexOf(last) - 1];
  await rejectsWith(assert, w.sso.authenticate(req(`Bearer ${h}.${p}.${sig.slice(0, -1)}${bumped}`)), 'E005001', false);
});
