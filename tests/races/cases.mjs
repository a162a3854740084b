// One race suite for every runtime: each case builds an Sso on a fresh store, fires many
// operations at once, and checks ONE guarantee that would break if the core's reads and writes
// were not conditional (store protocol v2: getMany, atomic commit with checks). Run with
// node:test, Deno.test, or any runner of the same shape (a worker or a page collects the cases).
//
// No imports: the package comes in through `opts` (each runtime imports it its own way) and the
// assertions are the few below, so that this module runs unchanged in Node, Deno, workerd and a
// browser page.
//
// Each case would fail on a core whose writes were not conditional or whose sessions did not
// carry the owner's security stamp: tests/js/race-mutants.mjs runs the suite on stores that
// break each of those and prints which cases catch what. The cases about sessions and lost
// updates run on the store behind a random 0-2 ms latency per call (`jittered`), which gives
// far more interleavings than an in-process store; the throttle cases do not, as they rely on
// the store answering in the order it was called (the 40th attempt is counted last).

/** Thrown when a guarantee does not hold. */
export class RaceFailure extends Error {
  name = 'RaceFailure';
}

function show(v) {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

const check = {
  ok(value, message) {
    if (!value) throw new RaceFailure(message ?? `${show(value)} is not truthy`);
  },
  equal(actual, expected, message) {
    if (!Object.is(actual, expected)) throw new RaceFailure(`${message ? `${message}: ` : ''}${show(actual)} !== ${show(expected)}`);
  },
};

const APP = 'CRM';
const ADDR = '10.0.0.1';
const ADMIN = 'admin';
const ADMIN_PW = 'race admin passphrase';
/** Cheap Argon2: a race is about ordering, not about hashing cost. */
const ARGON2 = { m_cost: 256, t_cost: 1 };
/** passlib's pbkdf2_sha512 of "password" (1000 rounds), as Zato stores it. */
const ZATO_PBKDF2 = '$pbkdf2-sha512$1000$c2FsdHNhbHRzYWx0c2FsdA$715rqIr5dXOVPpBhqqsugl037zT5bWJTWYmZtIcK8hBnisKpwfY7kokvwjDrNHqHhF50Pb7MD6HvkJwiDQw4ww';
/** The default `throttle.per_user_address` (README "Security"); the suite keeps the default. */
const PER_USER_ADDRESS = 10;

function merge(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] ? merge(a[k], v) : v;
  }
  return out;
}

function randomBytes(n) {
  return crypto.getRandomValues(new Uint8Array(n));
}

function base64(bytes) {
  return btoa(String.fromCharCode(...bytes));
}

const B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

function base32Encode(bytes) {
  let bits = 0, acc = 0, out = '';
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += B32[(acc >> bits) & 31];
    }
  }
  if (bits > 0) out += B32[(acc << (5 - bits)) & 31];
  return out;
}

function base32Decode(s) {
  let bits = 0, acc = 0;
  const out = [];
  for (const c of s.toUpperCase().replace(/=+$/, '')) {
    const v = B32.indexOf(c);
    if (v < 0) throw new Error(`not base32: ${c}`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}

/** RFC 6238 (HMAC-SHA1, 30 s steps), written independently of the library, on WebCrypto. */
async function totp(keyBase32, ms, digits = 6) {
  const key = await crypto.subtle.importKey('raw', base32Decode(keyBase32), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const counter = new Uint8Array(8);
  let step = Math.floor(ms / 1000 / 30);
  for (let i = 7; i >= 0; i--) {
    counter[i] = step % 256;
    step = Math.floor(step / 256);
  }
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, counter));
  const off = mac[mac.length - 1] & 0xf;
  const n = (((mac[off] & 0x7f) << 24) | (mac[off + 1] << 16) | (mac[off + 2] << 8) | mac[off + 3]) % 10 ** digits;
  return String(n).padStart(digits, '0');
}

/** The implementation above against RFC 6238 Appendix B (SHA-1, T = 59 s and 1111111109 s). */
async function selfTestTotp() {
  const key = base32Encode(new TextEncoder().encode('12345678901234567890'));
  check.equal(await totp(key, 59_000, 8), '94287082', 'RFC 6238 test vector at T = 59');
  check.equal(await totp(key, 1_111_111_109_000, 8), '07081804', 'RFC 6238 test vector at T = 1111111109');
}

/** What Promise.allSettled gave, summarised for messages: `{ ok: n, E005001: m, ... }`. */
function tally(results) {
  const t = {};
  for (const r of results) {
    const k = r.status === 'fulfilled' ? 'ok' : (r.reason?.sub_status?.join('+') ?? `${r.reason?.name}: ${r.reason?.message}`);
    t[k] = (t[k] ?? 0) + 1;
  }
  return t;
}

const fulfilled = (results) => results.filter((r) => r.status === 'fulfilled');

/**
 * Every rejection is an SsoError with one of `codes` (anything else is an unexpected failure,
 * reported rather than counted as a loser of the race).
 */
function rejectionsAre(env, results, codes, what) {
  for (const r of results) {
    if (r.status === 'fulfilled') continue;
    const e = r.reason;
    check.ok(e instanceof env.SsoError, `${what}: a rejection that is not an SsoError: ${e?.name}: ${e?.message}`);
    check.ok(e.sub_status.length === 1 && codes.includes(e.code), `${what}: unexpected ${e.sub_status.join('+')} (${e.message}); allowed: ${codes.join(', ')}; all: ${show(tally(results))}`);
  }
}

/** Resolves to the SsoError code the promise rejects with; fails if it resolves. */
async function codeOf(env, promise, what) {
  try {
    await promise;
  } catch (e) {
    check.ok(e instanceof env.SsoError, `${what}: not an SsoError: ${e?.name}: ${e?.message}`);
    return e.sub_status.join('+');
  }
  throw new RaceFailure(`${what}: resolved, expected a rejection`);
}

async function rejectsWith(env, promise, code, what) {
  check.equal(await codeOf(env, promise, what), code, what);
}

const burst = (n, fn) => Promise.allSettled(Array.from({ length: n }, (_, i) => Promise.resolve().then(() => fn(i))));

/**
 * The store with each call answering after a random 0-2 ms (before it reaches the store and
 * after), as a store across a network does: every call still runs whole on the store, but the
 * operations racing each other interleave in many more orders than an in-process store gives.
 */
function jittered(store) {
  const pause = () => new Promise((r) => setTimeout(r, Math.floor(Math.random() * 3)));
  const out = {};
  for (const m of ['get', 'put', 'delete', 'list', 'putIfAbsent', 'getMany', 'commit']) {
    if (typeof store[m] !== 'function') continue;
    out[m] = async (...args) => {
      await pause();
      const r = await store[m](...args);
      await pause();
      return r;
    };
  }
  return out;
}

/** A fresh Sso with a super-user logged in. */
async function setUp(env, makeStore, { config = {}, hooks, jitter = false, securityDefinitions } = {}) {
  const made = await makeStore();
  let store = made && typeof made.get !== 'function' && made.store ? made.store : made;
  if (jitter) store = jittered(store);
  // A real clock, moved back to 1 s into the current 30 s TOTP step: a code computed during
  // the case stays the current one for the next 29 s, whatever the wall clock does.
  const started = Date.now();
  const base = Math.floor(started / 30_000) * 30_000 + 1_000;
  const now = () => base + (Date.now() - started);
  const sso = new env.Sso({ store, secretKey: base64(randomBytes(32)), config: merge({ argon2: ARGON2 }, config), hooks, now, securityDefinitions });
  await sso.user.createSuperUser(null, { username: ADMIN, password: ADMIN_PW });
  const admin = (await sso.user.login(null, ADMIN, ADMIN_PW, APP, ADDR)).ust;
  return { sso, admin, now };
}

/** A regular, approved user; `extra` goes into createUser's data. */
async function regular(f, username, password, extra = {}) {
  const data = { username, password, ...extra };
  await f.sso.user.createUser(null, data, f.admin, APP, ADDR, { autoApprove: true });
  return data.user_id;
}

/** An address not used before: a login from it shares no throttle counter but the user's. */
let addressSeq = 0;
const freshAddr = () => {
  addressSeq = (addressSeq + 1) % 60_000;
  return `10.${100 + Math.floor(addressSeq / 250)}.${addressSeq % 250}.1`;
};

/**
 * Runs `op` while `loops` loops (10) renew `ust`, or run `action`, over and over (at most `max`
 * times each): whatever point the operation has reached, a renew is reading or writing the
 * session. Each loop starts one last call after `op` has settled. `round` varies how the loops
 * start (at once, or some a few ticks later). Resolves `{ op, renews }` (allSettled results).
 */
async function whileRenewing(f, ust, op, round = 0, { action = () => f.sso.user.session.renew(null, ust, APP, ADDR), max = 200, loops: count = 10 } = {}) {
  let done = false;
  const renews = [];
  const tick = () => new Promise((r) => setTimeout(r, 0));
  const loop = async (i) => {
    for (let k = 0; k < (round + i) % 3; k++) await tick();
    for (let n = 0; n < max; n++) {
      const last = done || n === max - 1;
      try {
        await action(i, n);
        renews.push({ status: 'fulfilled' });
      } catch (reason) {
        renews.push({ status: 'rejected', reason });
      }
      if (last) return;
      // Half the loops leave the event loop a turn between renews, half go straight on.
      if (i % 2) await tick();
    }
  };
  const loops = Array.from({ length: count }, (_, i) => loop(i));
  const [result] = await Promise.allSettled([Promise.resolve().then(op).finally(() => { done = true; })]);
  await Promise.all(loops);
  return { op: result, renews };
}

/**
 * @param {(name: string, fn: () => Promise<void>) => void} test
 * @param {string} name  prefixed to every case name
 * @param {() => Promise<object>} makeStore  a fresh, empty store (or `{ store }`); each case calls it once
 * @param {{ Sso: Function, SsoError: Function }} opts  the package, as this runtime imports it
 */
export function races(test, name, makeStore, opts) {
  const env = { Sso: opts?.Sso, SsoError: opts?.SsoError };
  if (typeof env.Sso !== 'function' || typeof env.SsoError !== 'function') throw new TypeError('races(): opts needs Sso and SsoError');
  const t = (caseName, fn) => test(`${name}: ${caseName}`, fn);

  // 1. The throttle counts an attempt before the password check, atomically.
  t('throttle: bursts of 40 wrong passwords at once from one address: at most the limit reach the password check, then the right one is refused', async () => {
    const f = await setUp(env, makeStore);
    await regular(f, 'victim', 'the right passphrase');
    // An attempt that keeps losing the counter's conditional write gives up (E008005) before any
    // password work, uncounted; so bursts go on until the refusals (E005001) reach the limit: by
    // then the pair is blocked whatever the interleaving (every refusal before the block was a
    // counted failure).
    let refused = 0, checked = 0;
    const all = {};
    for (let round = 0; round < 10 && refused < PER_USER_ADDRESS; round++) {
      const results = await burst(40, () => f.sso.user.login(null, 'victim', 'a wrong passphrase', APP, ADDR));
      for (const [k, n] of Object.entries(tally(results))) all[k] = (all[k] ?? 0) + n;
      check.equal(fulfilled(results).length, 0, 'a wrong password logged in');
      rejectionsAre(env, results, ['E005001', 'E008005'], `burst ${round}`);
      refused += results.filter((r) => r.reason?.code === 'E005001').length;
      // Where the core says why (the message of a hidden E005001): the attempts that reached
      // the password check, at most the limit in all.
      checked += results.filter((r) => /invalid username or password/.test(r.reason?.message ?? '')).length;
    }
    check.ok(refused >= PER_USER_ADDRESS, `the bursts were never refused ${PER_USER_ADDRESS} times: ${show(all)}`);
    check.ok(checked <= PER_USER_ADDRESS, `${checked} attempts reached the password check (limit ${PER_USER_ADDRESS}): ${show(all)}`);
    await rejectsWith(env, f.sso.user.login(null, 'victim', 'the right passphrase', APP, ADDR), 'E005001', 'the right password from the blocked address');
    // The block is the pair's and the address's own: the user still logs in from elsewhere.
    check.ok((await f.sso.user.login(null, 'victim', 'the right passphrase', APP, freshAddr())).ust, 'the right password from another address');
  });

  t('throttle: 39 wrong passwords and then the right one, all at once: the right one does not log in', async () => {
    const f = await setUp(env, makeStore);
    await regular(f, 'victim', 'the right passphrase');
    const results = await burst(40, (i) => f.sso.user.login(null, 'victim', i === 39 ? 'the right passphrase' : 'a wrong passphrase', APP, ADDR));
    check.equal(results[39].status, 'rejected', `the right password, 40th of a burst of 40 from one address, logged in (${show(tally(results))})`);
    check.equal(fulfilled(results).length, 0, 'a wrong password logged in');
    rejectionsAre(env, results, ['E005001', 'E008005'], 'the burst');
  });

  // 2. A TOTP code is spent once (RFC 6238 §5.2), at login and in validateCode.
  t('TOTP: 6 logins with one code at once: exactly 1 logs in', async () => {
    await selfTestTotp();
    const f = await setUp(env, makeStore);
    const key = base32Encode(randomBytes(20));
    await regular(f, 'totp-user', 'totp user passphrase', { is_totp_enabled: true, totp_key: key });
    const code = await totp(key, f.now());
    const results = await burst(6, () => f.sso.user.login(null, 'totp-user', 'totp user passphrase', APP, ADDR, { totpCode: code }));
    check.equal(fulfilled(results).length, 1, `logins with one code (${show(tally(results))})`);
    rejectionsAre(env, results, ['E005001', 'E008005'], 'the losing logins');
    await rejectsWith(env, f.sso.user.login(null, 'totp-user', 'totp user passphrase', APP, freshAddr(), { totpCode: code }), 'E005001', 'the code again, afterwards');
  });

  t('TOTP: 6 validateCode calls with one code at once: exactly 1 is true', async () => {
    await selfTestTotp();
    const f = await setUp(env, makeStore);
    const key = base32Encode(randomBytes(20));
    await regular(f, 'totp-user', 'totp user passphrase', { is_totp_enabled: true, totp_key: key });
    const code = await totp(key, f.now());
    const results = await burst(6, () => f.sso.totp.validateCode(null, code, APP, ADDR, { username: 'totp-user' }));
    check.equal(results.filter((r) => r.status === 'fulfilled' && r.value === true).length, 1, `validateCode with one code (${show(tally(results))})`);
    check.equal(fulfilled(results).length, 1, 'a validateCode resolved without being true');
    rejectionsAre(env, results, ['E005001', 'E008005'], 'the losing validations');
  });

  // 3. Single-use tokens: the confirm token, the reset token, the reset key.
  t('sign-up: 10 confirmSignup of one token at once: exactly 1 resolves', async () => {
    const f = await setUp(env, makeStore, { config: { signup: { is_approval_needed: false } } });
    const token = await f.sso.user.signup(null, { username: 'newbie', password: 'newbie passphrase', email: 'newbie@example.com', app_list: [APP] }, APP, ADDR);
    const results = await burst(10, () => f.sso.user.confirmSignup(null, token, APP, ADDR));
    check.equal(fulfilled(results).length, 1, `confirmations of one token (${show(tally(results))})`);
    rejectionsAre(env, results, ['E005007', 'E005006', 'E005001', 'E008005'], 'the losing confirmations');
    check.ok((await f.sso.user.login(null, 'newbie', 'newbie passphrase', APP, ADDR)).ust, 'the confirmed user logs in');
  });

  t('password reset: 10 accessToken at once -> exactly 1 key; 10 changePassword at once -> exactly 1, and exactly one password works', async () => {
    const sent = [];
    const f = await setUp(env, makeStore, { hooks: { sendPasswordReset: (m) => { sent.push(m); } } });
    await regular(f, 'forgetful', 'the old passphrase', { email: 'forgetful@example.com' });
    await f.sso.passwordReset.createToken(null, 'forgetful', APP, ADDR);
    check.equal(sent.length, 1, 'reset messages handed to the hook');
    const { token } = sent[0];
    const keys = await burst(10, () => f.sso.passwordReset.accessToken(null, token, APP, ADDR));
    check.equal(fulfilled(keys).length, 1, `accessToken of one token (${show(tally(keys))})`);
    rejectionsAre(env, keys, ['E010001', 'E008005'], 'the losing accessToken calls');
    const resetKey = fulfilled(keys)[0].value;
    const passwords = Array.from({ length: 10 }, (_, i) => `brand new passphrase ${i}`);
    const changes = await burst(10, (i) => f.sso.passwordReset.changePassword(null, passwords[i], token, resetKey, APP, ADDR));
    check.equal(fulfilled(changes).length, 1, `changePassword with one token and key (${show(tally(changes))})`);
    rejectionsAre(env, changes, ['E010001', 'E008005'], 'the losing changePassword calls');
    const winner = changes.findIndex((r) => r.status === 'fulfilled');
    // One after another (logins of one user at once contend for its throttle counter), each
    // from an address of its own (ten refusals from one would block it).
    const logins = [];
    for (const p of [...passwords, 'the old passphrase']) {
      logins.push(await f.sso.user.login(null, 'forgetful', p, APP, freshAddr()).then((value) => ({ status: 'fulfilled', value }), (reason) => ({ status: 'rejected', reason })));
    }
    const working = logins.map((r, i) => (r.status === 'fulfilled' ? i : -1)).filter((i) => i >= 0);
    check.equal(show(working), show([winner]), 'the passwords that log in afterwards (10 is the old one)');
    rejectionsAre(env, logins, ['E005001'], 'the other passwords');
  });

  // 4. A renew never brings back a session a logout ended.
  t('logout while 10 renews of the same UST run: the UST is dead afterwards (5 rounds)', async () => {
    const f = await setUp(env, makeStore, { jitter: true });
    await regular(f, 'user', 'user passphrase');
    for (let round = 0; round < 5; round++) {
      const { ust } = await f.sso.user.login(null, 'user', 'user passphrase', APP, ADDR);
      const { op, renews } = await whileRenewing(f, ust, () => f.sso.user.logout(null, ust, APP, ADDR), round);
      check.equal(op.status, 'fulfilled', `round ${round}: the logout failed: ${op.reason?.message}`);
      rejectionsAre(env, renews, ['E007001', 'E008005'], `round ${round}: the renews`);
      await rejectsWith(env, f.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001', `round ${round}: the UST after logout (renews: ${show(tally(renews))})`);
      await rejectsWith(env, f.sso.user.session.renew(null, ust, APP, ADDR), 'E007001', `round ${round}: a renew after logout`);
    }
  });

  t('a super-user ends a session by its id while 10 renews of it run: the UST is dead afterwards (3 rounds)', async () => {
    const f = await setUp(env, makeStore, { jitter: true });
    const id = await regular(f, 'user', 'user passphrase');
    for (let round = 0; round < 3; round++) {
      const { ust } = await f.sso.user.login(null, 'user', 'user passphrase', APP, ADDR);
      const live = await f.sso.user.session.getListByUserId(null, id, f.admin, APP, ADDR);
      check.equal(live.length, 1, `round ${round}: the user's live sessions`);
      const end = () => f.sso.user.session.endById(null, id, live[0].session_id, f.admin, APP, ADDR);
      const { op, renews } = await whileRenewing(f, ust, end, round);
      check.equal(op.status, 'fulfilled', `round ${round}: endById failed: ${op.reason?.message}`);
      rejectionsAre(env, renews, ['E007001', 'E008005'], `round ${round}: the renews`);
      await rejectsWith(env, f.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001', `round ${round}: the UST after endById (renews: ${show(tally(renews))})`);
    }
  });

  // 5. A renew never brings back a session that a lock, password change, rejection, reset or
  //    deletion ended (the security stamp).
  const adminOps = {
    lock: (f, id) => f.sso.user.lockUser(null, id, f.admin, APP, ADDR),
    'password change by an admin': (f, id) => f.sso.user.changePassword(null, { new_password: 'changed by the admin', user_id: id }, f.admin, APP, ADDR),
    reject: (f, id) => f.sso.user.rejectUser(null, id, f.admin, APP, ADDR),
    delete: (f, id) => f.sso.user.deleteUserById(null, id, f.admin, APP, ADDR),
  };
  for (const [name, run] of Object.entries(adminOps)) {
    t(`${name} while 10 renews of the user's UST run: the UST is dead afterwards (3 rounds)`, async () => {
      const f = await setUp(env, makeStore, { jitter: true });
      let id;
      for (let round = 0; round < 3; round++) {
        // A user per round for delete; the others put the same user back (below).
        if (round === 0 || name === 'delete') id = await regular(f, `user${name === 'delete' ? round : ''}`, 'user passphrase');
        const username = name === 'delete' ? `user${round}` : 'user';
        const { ust } = await f.sso.user.login(null, username, 'user passphrase', APP, ADDR);
        const { op, renews } = await whileRenewing(f, ust, () => run(f, id), round);
        check.equal(op.status, 'fulfilled', `round ${round}: ${name} failed: ${op.reason?.message}`);
        rejectionsAre(env, renews, ['E007001', 'E008005'], `round ${round}: the renews`);
        await rejectsWith(env, f.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001', `round ${round}: the UST after ${name} (renews: ${show(tally(renews))})`);
        await rejectsWith(env, f.sso.user.session.renew(null, ust, APP, ADDR), 'E007001', `round ${round}: a renew after ${name}`);
        // Undone, the old session must stay dead.
        if (name === 'lock') await f.sso.user.unlockUser(null, id, f.admin, APP, ADDR);
        if (name === 'reject') await f.sso.user.approveUser(null, id, f.admin, APP, ADDR);
        if (name === 'password change by an admin') await f.sso.user.setPassword(null, id, 'user passphrase', APP, ADDR, { mustChange: false });
        if (name !== 'delete') {
          await rejectsWith(env, f.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001', `round ${round}: the UST after ${name} was undone`);
        }
      }
    });
  }

  t('password reset with end_sessions while 10 renews run: the UST is dead afterwards (3 rounds)', async () => {
    const sent = [];
    const f = await setUp(env, makeStore, { config: { password_reset: { end_sessions: true } }, jitter: true, hooks: { sendPasswordReset: (m) => { sent.push(m); } } });
    await regular(f, 'user', 'user passphrase', { email: 'user@example.com' });
    for (let round = 0; round < 3; round++) {
      const { ust } = await f.sso.user.login(null, 'user', 'user passphrase', APP, ADDR);
      await f.sso.passwordReset.createToken(null, 'user', APP, ADDR);
      const { token } = sent[round];
      const resetKey = await f.sso.passwordReset.accessToken(null, token, APP, ADDR);
      const { op, renews } = await whileRenewing(f, ust, () => f.sso.passwordReset.changePassword(null, 'user passphrase', token, resetKey, APP, ADDR), round);
      check.equal(op.status, 'fulfilled', `round ${round}: the reset failed: ${op.reason?.message}`);
      rejectionsAre(env, renews, ['E007001', 'E008005'], `round ${round}: the renews`);
      await rejectsWith(env, f.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001', `round ${round}: the UST after the reset (renews: ${show(tally(renews))})`);
    }
  });

  // 6. No lost updates on the user record.
  t('updateCurrentUser racing lockUser: the lock stays, and the new display name is there if its update resolved (6 rounds)', async () => {
    const f = await setUp(env, makeStore, { jitter: true });
    const id = await regular(f, 'user', 'user passphrase', { display_name: 'Name -' });
    let expected = 'Name -';
    const seen = { both: 0, lockFirst: 0 };
    for (let round = 0; round < 6; round++) {
      const { ust } = await f.sso.user.login(null, 'user', 'user passphrase', APP, ADDR);
      const name = `Name ${round}`;
      const update = () => f.sso.user.updateCurrentUser(null, { display_name: name }, ust, APP, ADDR);
      const lock = () => f.sso.user.lockUser(null, id, f.admin, APP, ADDR);
      // Either one fired first, in turn.
      const [u, l] = round % 2 === 0
        ? await Promise.allSettled([update(), lock()])
        : (await Promise.allSettled([lock(), update()])).reverse();
      check.equal(l.status, 'fulfilled', `round ${round}: the lock failed: ${l.reason?.message}`);
      rejectionsAre(env, [u], ['E007001', 'E005002', 'E008005'], `round ${round}: the update`);
      if (u.status === 'fulfilled') {
        expected = name;
        seen.both++;
      } else seen.lockFirst++;
      const user = await f.sso.user.getUserById(null, id, f.admin, APP, ADDR);
      check.equal(user.is_locked, true, `round ${round}: is_locked after the race (${show(seen)})`);
      check.equal(user.display_name, expected, `round ${round}: display_name after the race (update ${u.status})`);
      await f.sso.user.unlockUser(null, id, f.admin, APP, ADDR);
    }
  });

  t('a TOTP login racing an admin changePassword: the new password is the one that works, and no session of the old one survives (4 rounds)', async () => {
    const f = await setUp(env, makeStore, { jitter: true });
    for (let round = 0; round < 4; round++) {
      // A user per round: each has its own TOTP step to spend.
      const username = `totp-${round}`;
      const key = base32Encode(randomBytes(20));
      const id = await regular(f, username, 'the old passphrase', { is_totp_enabled: true, totp_key: key });
      const code = await totp(key, f.now());
      const login = () => f.sso.user.login(null, username, 'the old passphrase', APP, ADDR, { totpCode: code });
      const change = () => f.sso.user.changePassword(null, { new_password: 'the new passphrase', user_id: id }, f.admin, APP, ADDR);
      const [l, c] = round % 2 === 0
        ? await Promise.allSettled([login(), change()])
        : (await Promise.allSettled([change(), login()])).reverse();
      check.equal(c.status, 'fulfilled', `round ${round}: the password change failed: ${c.reason?.message}`);
      rejectionsAre(env, [l], ['E005001', 'E008005'], `round ${round}: the racing login`);
      if (l.status === 'fulfilled') {
        await rejectsWith(env, f.sso.user.getCurrentUser(null, l.value.ust, APP, ADDR), 'E007001', `round ${round}: the session of the old password`);
      }
      // Without a code, a TOTP user's right password gives E005008 (code required), a wrong one E005001.
      check.equal(await codeOf(env, f.sso.user.login(null, username, 'the new passphrase', APP, freshAddr()), 'the new password'), 'E005008',
        `round ${round}: the new password (E005008: accepted, a code is required)`);
      check.equal(await codeOf(env, f.sso.user.login(null, username, 'the old passphrase', APP, freshAddr()), 'the old password'), 'E005001',
        `round ${round}: the old password`);
    }
  });

  t('deleteUserById racing 10 loops of the user updating itself: the user stays deleted (3 rounds)', async () => {
    const f = await setUp(env, makeStore, { jitter: true });
    for (let round = 0; round < 3; round++) {
      const username = `doomed${round}`;
      const id = await regular(f, username, 'user passphrase');
      const { ust } = await f.sso.user.login(null, username, 'user passphrase', APP, ADDR);
      const update = (i, n) => f.sso.user.updateCurrentUser(null, { display_name: `Name ${i}.${n}` }, ust, APP, ADDR);
      // The delete is retried while it loses to the updates (E008005, nothing written), as a
      // client would; the updates are few enough (3 a loop) for it to win in the end.
      const remove = async () => {
        for (let attempt = 1; ; attempt++) {
          try {
            return await f.sso.user.deleteUserById(null, id, f.admin, APP, ADDR);
          } catch (e) {
            if (e?.code !== 'E008005' || attempt === 30) throw e;
          }
        }
      };
      const { op, renews: updates } = await whileRenewing(f, ust, remove, round, { action: update, max: 3 });
      check.equal(op.status, 'fulfilled', `round ${round}: the delete failed: ${op.reason?.message}`);
      rejectionsAre(env, updates, ['E007001', 'E008005'], `round ${round}: the updates`);
      const lookup = await f.sso.user.getUserById(null, id, f.admin, APP, ADDR).then((u) => u, (e) => e);
      check.ok(lookup instanceof env.SsoError, `round ${round}: the deleted user is there again (updates: ${show(tally(updates))})`);
      await rejectsWith(env, f.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001', `round ${round}: the UST of the deleted user`);
      await rejectsWith(env, f.sso.user.login(null, username, 'user passphrase', APP, freshAddr()), 'E005001', `round ${round}: a login of the deleted user`);
      const page = await f.sso.user.search(null, { username }, f.admin, APP, ADDR);
      check.equal(page.total, 0, `round ${round}: the deleted user found by search`);
    }
  });

  // Liveness, opt-in (opts.liveness; not part of the default run): an administrator's lock or
  // delete is not kept from happening by the user rewriting its own record one request after
  // another (as a script holding a stolen session would). deleteUserById fails this today: it
  // makes one conditional commit and gives up (E008005) when the record changed since it read it.
  if (opts.liveness) {
    for (const name of ['deleteUserById', 'lockUser']) {
      t(`liveness: ${name} gets through within 5 tries while the user updates itself, one request after another`, async () => {
        const f = await setUp(env, makeStore);
        const id = await regular(f, 'busy', 'user passphrase');
        const { ust } = await f.sso.user.login(null, 'busy', 'user passphrase', APP, ADDR);
        const tries = [];
        const admin = async () => {
          for (let attempt = 1; attempt <= 5; attempt++) {
            try {
              return await f.sso.user[name](null, id, f.admin, APP, ADDR);
            } catch (e) {
              tries.push(e?.code ?? String(e));
              if (e?.code !== 'E008005') throw e;
            }
          }
          throw new RaceFailure(`${name} lost 5 times in a row to a user updating itself: ${tries.join(', ')}`);
        };
        const update = (i, n) => f.sso.user.updateCurrentUser(null, { display_name: `Name ${n}` }, ust, APP, ADDR);
        const { op } = await whileRenewing(f, ust, admin, 0, { action: update, max: 1000, loops: 1 });
        check.equal(op.status, 'fulfilled', `${op.reason?.message}`);
      });
    }
  }

  // 7. Uniqueness claimed in the creation commit.
  t('20 createUser of one username at once: exactly 1 user', async () => {
    const f = await setUp(env, makeStore);
    const results = await burst(20, (i) => f.sso.user.createUser(null, { username: 'taken', password: `passphrase number ${i}` }, f.admin, APP, ADDR, { autoApprove: true }));
    check.equal(fulfilled(results).length, 1, `creates of one username (${show(tally(results))})`);
    rejectionsAre(env, results, ['E001002', 'E008005'], 'the losing creates');
    const page = await f.sso.user.search(null, { username: 'taken' }, f.admin, APP, ADDR);
    check.equal(page.total, 1, 'users named "taken"');
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    check.ok((await f.sso.user.login(null, 'taken', `passphrase number ${winner}`, APP, ADDR)).ust, 'the created user logs in with its password');
  });

  t('20 sign-ups with one email at once: exactly 1 resolves', async () => {
    const f = await setUp(env, makeStore, { config: { signup: { is_approval_needed: false } } });
    const results = await burst(20, (i) => f.sso.user.signup(null, { username: `signer${i}`, password: 'signer passphrase', email: 'shared@example.com', app_list: [APP] }, APP, ADDR));
    check.equal(fulfilled(results).length, 1, `sign-ups with one email (${show(tally(results))})`);
    rejectionsAre(env, results, ['E005001', 'E002002', 'E008005'], 'the losing sign-ups');
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    await f.sso.user.confirmSignup(null, results[winner].value, APP, ADDR);
    check.ok((await f.sso.user.login(null, `signer${winner}`, 'signer passphrase', APP, ADDR)).ust, 'the one signed up logs in');
    const page = await f.sso.user.search(null, { sign_up_status: 'final' }, f.admin, APP, ADDR);
    check.equal(page.total, 2, 'users with a final sign-up (the admin and the winner)');
  });

  // 8. The migration and linked authentication, run concurrently.
  t('10 imports of one Zato row at once: exactly 1 user, which logs in with its Zato password', async () => {
    const f = await setUp(env, makeStore, { jitter: true });
    const row = { user_id: 'zusr-zed', username: 'zed', password: ZATO_PBKDF2, approval_status: 'approved', sign_up_status: 'final' };
    const results = await burst(10, () => f.sso.admin.importUser(null, row));
    const imported = results.filter((r) => r.value?.result === 'imported').length;
    check.equal(imported, 1, `imports that created the user (${show(results.map((r) => r.value?.result ?? r.reason?.code))})`);
    check.ok(results.every((r) => r.value?.result === 'skipped' || r.value?.result === 'imported' || r.reason?.code === 'E008005'), show(tally(results)));
    check.equal((await f.sso.user.search(null, { username: 'zed' }, f.admin, APP, ADDR)).total, 1, 'users named "zed"');
    check.ok((await f.sso.user.login(null, 'zed', 'password', APP, ADDR)).ust, 'the imported user logs in');
  });

  t('one Basic Auth definition linked to 8 users at once: exactly 1 link, and its credential is that user', async () => {
    const f = await setUp(env, makeStore, { jitter: true, securityDefinitions: { basic_auth: [{ id: 1, username: 'svc', password: 'basic secret' }] } });
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push(await regular(f, `linked${i}`, 'linked passphrase'));
    const results = await Promise.allSettled(ids.map((id) => f.sso.user.createLinkedAuth(null, f.admin, id, 'basic_auth', 'svc', true, APP, ADDR)));
    check.equal(fulfilled(results).length, 1, `links made (${show(tally(results))})`);
    rejectionsAre(env, results, ['E008001', 'E008005'], 'the losing links');
    const winner = ids[results.findIndex((r) => r.status === 'fulfilled')];
    const authorization = `Basic ${btoa('svc:basic secret')}`;
    const session = await f.sso.authenticate(new Request('https://sso.example/', { headers: { authorization } }), { remoteAddr: ADDR });
    check.equal(session.user_id, winner, 'the credential means the linked user');
  });

  t('a lock racing external sessions of a linked credential: no session works after the lock', async () => {
    const f = await setUp(env, makeStore, { jitter: true, securityDefinitions: { basic_auth: [{ id: 1, username: 'svc', password: 'basic secret' }] } });
    const id = await regular(f, 'linked', 'linked passphrase');
    await f.sso.user.createLinkedAuth(null, f.admin, id, 'basic_auth', 'svc', true, APP, ADDR);
    const authorization = `Basic ${btoa('svc:basic secret')}`;
    const ext = () => f.sso.authenticate(new Request('https://sso.example/', { headers: { authorization } }), { remoteAddr: ADDR });
    const usts = new Set([(await ext()).ust]);
    const { op } = await whileRenewing(f, null, () => f.sso.user.lockUser(null, id, f.admin, APP, ADDR), 0, {
      action: async () => { usts.add((await ext()).ust); }, max: 50, loops: 4,
    });
    check.equal(op.status, 'fulfilled', `${op.reason?.message}`);
    for (const ust of usts) await rejectsWith(env, f.sso.user.getCurrentUser(null, ust, APP, ADDR), 'E007001', 'a session made or renewed around the lock');
    await rejectsWith(env, ext(), 'E005002', 'a new external session while locked');
  });
}
