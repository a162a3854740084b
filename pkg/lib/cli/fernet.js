// Fernet (the `cryptography` package's format, used by Zato to seal values), opening only:
//   token = base64url(0x80 | timestamp (8 bytes) | IV (16) | AES-128-CBC ciphertext | HMAC-SHA256 (32))
//   key   = base64url(signing key (16) | encryption key (16))
// The HMAC is checked, in constant time, before anything is decrypted. Token age is not
// checked: Zato seals values for good, and a migration reads them years later.
import { createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

const VERSION = 0x80;
const HEADER = 1 + 8 + 16;
const MAC = 32;
const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;

function decode(text, what) {
  const s = String(text).trim();
  if (!BASE64URL.test(s)) throw new Error(`${what} is not url-safe base64`);
  return Buffer.from(s.replace(/=+$/, ''), 'base64url');
}

export class Fernet {
  #signing;
  #encryption;

  /** `key`: a Fernet key, url-safe base64 of 32 bytes (Zato's `secret_keys.key1`). */
  constructor(key) {
    const bytes = decode(key, 'the Fernet key');
    if (bytes.length !== 32) throw new Error(`the Fernet key must be 32 bytes (url-safe base64), not ${bytes.length}`);
    this.#signing = bytes.subarray(0, 16);
    this.#encryption = bytes.subarray(16);
  }

  /** Whether `text` has the shape of a Fernet token (not whether it opens). */
  static looksSealed(text) {
    if (typeof text !== 'string' || !text.startsWith('gAAAA') || !BASE64URL.test(text)) return false;
    return Buffer.from(text.replace(/=+$/, ''), 'base64url').length >= HEADER + 16 + MAC;
  }

  /** The plaintext bytes of a token; throws when it was not sealed with this key or was altered. */
  decrypt(token) {
    const raw = decode(token, 'the token');
    if (raw.length < HEADER + 16 + MAC || raw[0] !== VERSION || (raw.length - HEADER - MAC) % 16 !== 0) {
      throw new Error('not a Fernet token');
    }
    const signed = raw.subarray(0, raw.length - MAC);
    const expected = createHmac('sha256', this.#signing).update(signed).digest();
    if (!timingSafeEqual(expected, raw.subarray(raw.length - MAC))) {
      throw new Error('the token does not verify with this key (wrong key, or altered)');
    }
    const iv = raw.subarray(9, HEADER);
    const decipher = createDecipheriv('aes-128-cbc', this.#encryption, iv);
    return Buffer.concat([decipher.update(raw.subarray(HEADER, raw.length - MAC)), decipher.final()]);
  }

  decryptText(token) {
    return this.decrypt(token).toString('utf8');
  }
}

/** Zato's prefix for values its server sealed (`SECRETS.PREFIX`). */
const ZATO_PREFIX = 'zato.secf.';

/**
 * Zato's `open()`: strips `zato.secf.`, then opens a Fernet token; a value that is not one is
 * stored in clear (for instance emails with `main.encrypt_email = False`) and returned as it is.
 * A value that looks sealed but does not open throws.
 */
export function openZatoValue(fernet, value) {
  if (value === null || value === undefined) return value;
  const text = String(value);
  const bare = text.startsWith(ZATO_PREFIX) ? text.slice(ZATO_PREFIX.length) : text;
  if (!Fernet.looksSealed(bare)) {
    if (bare !== text) throw new Error('a `zato.secf.` value that is not a Fernet token');
    return text;
  }
  return fernet.decryptText(bare);
}
