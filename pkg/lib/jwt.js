// JWT verification for linked JWT definitions (spec §3.18), with WebCrypto only, so that it
// runs the same on Workers, Deno, Node and browsers, and no key material enters the wasm.
//
// The rules, each one a known JWT pitfall:
// - the algorithm comes from the definition's key, never from the token: a definition with an
//   RSA or EC public key accepts RS256 or ES256 only, one with a shared secret HS256 only, so
//   an RS256 public key can never be used as an HMAC secret (algorithm confusion), and
//   `alg: none` is never accepted;
// - `exp` is required; `nbf` and `iat` may not be in the future; `iss` and `aud` are checked
//   when the definition names them; all with a small clock tolerance;
// - the token's `sub` (or `username`) must be the definition's username.

const encoder = new TextEncoder();
const MAX_TOKEN = 16 * 1024;

/** Why a token was refused; never includes the token. */
export class JwtRefused extends Error {}

function refuse(why) {
  throw new JwtRefused(why);
}

const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * Strict base64url: the alphabet, no padding, and canonical (unused trailing bits zero), so
 * that one token has one spelling: variants of a token would otherwise be different tokens.
 */
function b64urlBytes(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1) refuse('a part is not base64url');
  const b64 = s.replace(/-/g, '+').replace(/_/g, '/') + '==='.slice((s.length + 3) % 4);
  let bin;
  try {
    bin = atob(b64);
  } catch {
    refuse('a part is not base64url');
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  if (b64url(out) !== s) refuse('a part is not canonical base64url');
  return out;
}

function b64urlJson(s) {
  try {
    const v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(b64urlBytes(s)));
    if (v === null || typeof v !== 'object' || Array.isArray(v)) refuse('a part is not a JSON object');
    return v;
  } catch (e) {
    if (e instanceof JwtRefused) throw e;
    refuse('a part is not a JSON object');
  }
}

/** Is `token` shaped like a JWS (three base64url parts, a JSON header naming an `alg`)? */
export function looksLikeJwt(token) {
  if (typeof token !== 'string' || token.length > MAX_TOKEN) return false;
  const parts = token.split('.');
  if (parts.length !== 3) return false;
  try {
    return typeof b64urlJson(parts[0]).alg === 'string';
  } catch {
    return false;
  }
}

/** The unverified payload, only to choose which definition's key to verify with. */
export function peekClaims(token) {
  return b64urlJson(token.split('.')[1] ?? '');
}

const ALGORITHMS = {
  HS256: { import: { name: 'HMAC', hash: 'SHA-256' }, verify: { name: 'HMAC' } },
  RS256: { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, verify: { name: 'RSASSA-PKCS1-v1_5' } },
  ES256: { import: { name: 'ECDSA', namedCurve: 'P-256' }, verify: { name: 'ECDSA', hash: 'SHA-256' } },
};

/** The algorithm a JWK allows: from its type, never from a token. */
function algorithmOfJwk(jwk) {
  if (jwk?.kty === 'RSA') return 'RS256';
  if (jwk?.kty === 'EC' && jwk.crv === 'P-256') return 'ES256';
  return null;
}

/** Only the public members of a JWK are imported (a private key given by mistake stays out). */
function publicJwk(jwk) {
  return jwk.kty === 'RSA' ? { kty: 'RSA', n: jwk.n, e: jwk.e } : { kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y };
}

/**
 * Checks one definition's shape at construction: `{ id, username, secret }` for HS256, or
 * `{ id, username, jwk }` / `{ id, username, jwks: { keys } }` for RS256 / ES256, optionally
 * `issuer`, `audience`, `clockToleranceSec`, `is_active`. Returns the keys it may verify with.
 */
export function checkJwtDefinition(def) {
  const where = `securityDefinitions.jwt ${JSON.stringify(String(def?.id ?? '?'))}`;
  if (def === null || typeof def !== 'object') throw new TypeError(`${where} must be an object`);
  const allowed = ['id', 'username', 'secret', 'jwk', 'jwks', 'issuer', 'audience', 'clockToleranceSec', 'is_active'];
  for (const k of Object.keys(def)) if (!allowed.includes(k)) throw new TypeError(`${where}: unknown key ${k}`);
  const given = ['secret', 'jwk', 'jwks'].filter((k) => def[k] !== undefined);
  if (given.length !== 1) throw new TypeError(`${where} needs exactly one of secret, jwk and jwks`);
  if (def.secret !== undefined) {
    if (typeof def.secret !== 'string' || encoder.encode(def.secret).length < 32) {
      throw new TypeError(`${where}: an HS256 secret must be a string of at least 32 bytes`);
    }
    return [{ alg: 'HS256', kid: undefined, raw: encoder.encode(def.secret) }];
  }
  // A public key may be any issuer's: without both, a token the same provider issued for
  // another relying party (with a matching subject) would be accepted here.
  if (typeof def.issuer !== 'string' || !def.issuer || typeof def.audience !== 'string' || !def.audience) {
    throw new TypeError(`${where}: a jwk or jwks definition needs its issuer and audience`);
  }
  const jwks = def.jwk !== undefined ? [def.jwk] : def.jwks?.keys;
  if (!Array.isArray(jwks) || jwks.length === 0) throw new TypeError(`${where}: jwks must be { keys: [...] }`);
  return jwks.map((jwk) => {
    const alg = algorithmOfJwk(jwk);
    if (!alg) throw new TypeError(`${where}: only RSA and EC P-256 public keys are supported`);
    if (jwk.alg !== undefined && jwk.alg !== alg) throw new TypeError(`${where}: key ${jwk.kid ?? ''} says alg ${jwk.alg}, its type allows ${alg}`);
    return { alg, kid: jwk.kid, jwk: publicJwk(jwk) };
  });
}

async function importKey(key) {
  const spec = ALGORITHMS[key.alg];
  if (key.alg === 'HS256') return crypto.subtle.importKey('raw', key.raw, spec.import, false, ['verify']);
  return crypto.subtle.importKey('jwk', key.jwk, spec.import, false, ['verify']);
}

/**
 * Verifies `token` against one definition (`keys` from `checkJwtDefinition`). Resolves the
 * claims, or rejects with JwtRefused.
 */
export async function verifyJwt(token, def, keys, now = Date.now()) {
  if (typeof token !== 'string' || token.length > MAX_TOKEN) refuse('the token is too long');
  const [h, p, s, extra] = token.split('.');
  if (extra !== undefined || s === undefined) refuse('a JWT has three parts');
  const header = b64urlJson(h);
  const claims = b64urlJson(p);
  if (typeof header.alg !== 'string' || header.alg === 'none' || !ALGORITHMS[header.alg]) refuse('the algorithm is not accepted');
  if (header.crit !== undefined) refuse('critical header extensions are not supported');
  const candidates = keys.filter((k) => k.alg === header.alg && (header.kid === undefined || k.kid === undefined || k.kid === header.kid));
  if (candidates.length === 0) refuse("the algorithm or key id does not match the definition's keys");
  const signature = b64urlBytes(s);
  const signed = encoder.encode(`${h}.${p}`);
  let valid = false;
  for (const key of candidates) {
    try {
      const cryptoKey = await importKey(key);
      if (await crypto.subtle.verify(ALGORITHMS[key.alg].verify, cryptoKey, signature, signed)) {
        valid = true;
        break;
      }
    } catch {
      // a key that cannot be imported or a signature of the wrong size: not this key
    }
  }
  if (!valid) refuse('the signature does not verify');
  const tolerance = Number.isFinite(def.clockToleranceSec) ? def.clockToleranceSec : 30;
  const nowSec = Math.floor(now / 1000);
  if (!Number.isFinite(claims.exp)) refuse('the token has no exp');
  if (claims.exp + tolerance <= nowSec) refuse('the token has expired');
  if (claims.nbf !== undefined && (!Number.isFinite(claims.nbf) || claims.nbf - tolerance > nowSec)) refuse('the token is not valid yet');
  if (claims.iat !== undefined && (!Number.isFinite(claims.iat) || claims.iat - tolerance > nowSec)) refuse('the token was issued in the future');
  if (def.issuer !== undefined && claims.iss !== def.issuer) refuse('the issuer does not match');
  if (def.audience !== undefined) {
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!aud.includes(def.audience)) refuse('the audience does not match');
  }
  const subject = claims.sub ?? claims.username;
  if (subject !== def.username) refuse("the token's subject is not the definition's username");
  return claims;
}

/**
 * Hex SHA-256 of the token's signed part (header and payload): the suffix of a JWT session's
 * ext_session_id. Zato hashes the whole token; the signed part is what the token says, and an
 * ECDSA signature has more than one valid form, which would give one token several sessions.
 */
export async function tokenSha256(token) {
  const signed = token.slice(0, token.lastIndexOf('.'));
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(signed)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
