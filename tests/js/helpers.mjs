// Shared set-up for the package tests: a fresh Sso over a MemoryStore with a hand-moved clock
// and cheap Argon2 parameters.
import { createHmac } from 'node:crypto';
import { Sso, MemoryStore } from 'edge-sso';

export const KEY = Buffer.alloc(32, 7).toString('base64');
export const T0 = Date.UTC(2024, 0, 1);
export const APP = 'CRM';
export const ADDR = '10.0.0.1';
export const ADMIN = 'admin';
export const ADMIN_PW = 'correct horse battery';
export const FAST = { argon2: { m_cost: 64, t_cost: 1, p_cost: 1 } };

export function merge(a, b) {
  const out = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] ? merge(a[k], v) : v;
  }
  return out;
}

/** A fresh instance; `config` is merged over the fast Argon2 settings. */
export function fixture({ config = {}, store, audit } = {}) {
  const clock = { now: T0 };
  const events = [];
  store ??= new MemoryStore({ now: () => clock.now });
  const sso = new Sso({
    store,
    audit: audit ?? ((e) => { events.push(e); }),
    secretKey: KEY,
    config: merge(FAST, config),
    now: () => clock.now,
  });
  return { sso, store, events, clock };
}

export async function adminUst(f) {
  await f.sso.user.createSuperUser('boot', { username: ADMIN, password: ADMIN_PW });
  return (await f.sso.user.login('l', ADMIN, ADMIN_PW, APP, ADDR)).ust;
}

/** Asserts the promise rejects with an SsoError holding exactly `codes`. */
export async function rejectsWith(assert, promise, code, reveal) {
  const { SsoError } = await import('edge-sso');
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof SsoError, `expected an SsoError, got ${e?.constructor?.name}: ${e?.message}`);
    assert.ok(e instanceof Error);
    assert.deepEqual(e.sub_status, [code], e.message);
    assert.equal(e.status, 'error');
    if (reveal !== undefined) assert.equal(e.reveal, reveal, `reveal of ${e.message}`);
    return true;
  });
}

function base32Decode(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0, acc = 0;
  const out = [];
  for (const c of s.toUpperCase().replace(/=+$/, '')) {
    acc = (acc << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
  }
  return Buffer.from(out);
}

/** RFC 6238, SHA-1, 6 digits, 30 s, written independently of the library. */
export function totp(keyBase32, ms) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(ms / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(keyBase32)).update(counter).digest();
  const off = mac[mac.length - 1] & 0xf;
  const n = (mac.readUInt32BE(off) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}
