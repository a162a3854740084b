// Linked authentication in JavaScript (spec §3.18): the security definitions the host passes
// to `new Sso({ securityDefinitions })`, and `sso.authenticate(request)`, which turns a
// request carrying a linked Basic Auth or JWT credential into an SSO session.
//
// Basic Auth passwords are checked in the core (Argon2 / PBKDF2 hashes, the login throttle).
// JWTs are checked here with WebCrypto (jwt.js); the core is then asked for the session of the
// definition the token matched, with the token's SHA-256, and never sees a JWT key.

import { checkJwtDefinition, looksLikeJwt, peekClaims, tokenSha256, verifyJwt, JwtRefused } from './jwt.js';
import { SsoError } from './errors.js';

function invalid(message) {
  return new SsoError(`E008002 common.invalid_input: ${message}`, ['E008002'], false);
}

function refused() {
  return new SsoError('E005001 auth.not_allowed: the credentials are not linked to an SSO user', ['E005001'], false);
}

/**
 * Splits `securityDefinitions` into what the core gets (Basic Auth definitions, and the ids
 * and usernames of JWT ones) and the JWT verifiers kept here.
 */
export function prepareDefinitions(defs) {
  if (defs === undefined || defs === null) return { forCore: undefined, jwt: [] };
  if (typeof defs !== 'object' || Array.isArray(defs)) throw invalid('securityDefinitions must be { basic_auth?: [...], jwt?: [...] }');
  for (const k of Object.keys(defs)) if (k !== 'basic_auth' && k !== 'jwt') throw invalid(`securityDefinitions: unknown key ${k}`);
  const basic = defs.basic_auth ?? [];
  const jwtDefs = defs.jwt ?? [];
  if (!Array.isArray(basic) || !Array.isArray(jwtDefs)) throw invalid('securityDefinitions.basic_auth and .jwt must be lists');
  const jwt = [];
  try {
    for (const d of jwtDefs) jwt.push({ def: d, keys: checkJwtDefinition(d) });
  } catch (e) {
    throw invalid(e.message);
  }
  const id = (d) => (typeof d?.id === 'number' ? String(d.id) : d?.id);
  return {
    forCore: {
      basic_auth: basic.map((d) => (d && typeof d === 'object' ? { ...d, id: id(d) } : d)),
      jwt: jwt.map(({ def }) => ({ id: id(def), username: def.username, ...(def.is_active === undefined ? {} : { is_active: def.is_active }) })),
    },
    jwt,
  };
}

/** `Authorization: Basic …` as `{ username, password }`, or null. */
function basicCredentials(header) {
  const [scheme, value] = header.split(/\s+/, 2);
  if (scheme.toLowerCase() !== 'basic' || !value) return null;
  let text;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
  } catch {
    throw invalid('the Basic credentials are not base64 of UTF-8');
  }
  const colon = text.indexOf(':');
  if (colon < 0) throw invalid('the Basic credentials have no colon');
  return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}

function crossSite() {
  return new SsoError('E005001 auth.not_allowed: Basic credentials are not accepted on a cross-site request', ['E005001'], false);
}

/** Sent from another site: `Sec-Fetch-Site`, or where a browser sends none, an `Origin` that is not the request's own. */
function isCrossSite(request) {
  const site = request.headers.get('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.get('origin');
  if (!origin) return false;
  try {
    return origin !== new URL(request.url).origin;
  } catch {
    return true;
  }
}

/** `Authorization: Bearer <JWT>` as the token, or null (a bearer UST is not a JWT). */
export function bearerJwt(header) {
  const [scheme, value] = header.split(/\s+/, 2);
  return scheme.toLowerCase() === 'bearer' && looksLikeJwt(value) ? value : null;
}

/** Is there a linked credential in this header at all? */
export function hasLinkedCredential(header) {
  if (typeof header !== 'string') return false;
  return /^basic\s/i.test(header) || bearerJwt(header) !== null;
}

/**
 * The proof the core gets for a request's credential: Basic Auth as it is, a JWT once its
 * signature and claims verify against the one definition named by its subject.
 */
export async function proofOf(header, jwtVerifiers, now, request) {
  const basic = basicCredentials(header);
  if (basic) {
    // A browser attaches Basic credentials it has cached to any request for their origin,
    // cross-site forms included: from another site they prove nothing (CSRF). A JWT in a
    // header is never attached by a browser on its own.
    if (request && isCrossSite(request)) throw crossSite();
    return { type: 'basic_auth', ...basic };
  }
  const token = bearerJwt(header);
  if (!token) return null;
  let subject;
  try {
    const claims = peekClaims(token);
    subject = claims.sub ?? claims.username;
  } catch {
    throw refused();
  }
  const verifier = jwtVerifiers.find(({ def }) => def.username === subject && def.is_active !== false);
  if (!verifier) throw refused();
  try {
    await verifyJwt(token, verifier.def, verifier.keys, now);
  } catch (e) {
    if (e instanceof JwtRefused) throw refused();
    throw e;
  }
  return { type: 'jwt', username: verifier.def.username, tokenSha256: await tokenSha256(token) };
}
