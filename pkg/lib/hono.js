// `edge-sso/hono`: edge-sso in a Hono app (README "Web apps"). Nothing here imports hono: a
// middleware is a plain `(c, next)` function, so any Hono 4 works and the main entry never
// loads it. Sessions are found exactly as `sso.fetch` finds them (a bearer UST, a linked Basic
// or JWT credential, or the `http.cookie_sessions` cookie), with the same CSRF refusal.

import { integrationOf } from './sso.js';
import { hasLinkedCredential } from './linked.js';
import { isHostFailure, toSsoError } from './errors.js';

/** The REST API's error envelope (as `sso.fetch` answers a refusal). */
const refusal = (c, status, subStatus, details, headers = {}) =>
  c.json({ cid: '', status: 'error', sub_status: subStatus, details }, status, { 'cache-control': 'no-store', ...headers });

/**
 * The client's address. Behind Cloudflare's edge `CF-Connecting-IP`, which the edge sets (the
 * example worker's convention); on @hono/node-server the socket's (`c.env.incoming`); on
 * `Deno.serve(app.fetch)` the connection's (`c.env.remoteAddr`). Elsewhere none: give
 * `remoteAddr` (never a header a client may set, unless a proxy of yours overwrites it).
 * Self-hosted workerd passes a client's own `CF-Connecting-IP` through untouched, so the header
 * counts only for a request the edge annotated (`request.cf.colo`, the data center it came in
 * at): forged addresses would dodge the per-address throttle and blame another address.
 */
export function defaultRemoteAddr(c) {
  if (globalThis.navigator?.userAgent === 'Cloudflare-Workers') {
    const cf = c.req.raw.cf;
    const viaEdge = cf !== null && typeof cf === 'object' && typeof cf.colo === 'string';
    return viaEdge ? c.req.header('cf-connecting-ip') ?? '' : '';
  }
  const socketAddr = c.env?.incoming?.socket?.remoteAddress;
  if (typeof socketAddr === 'string') return socketAddr;
  const denoAddr = c.env?.remoteAddr?.hostname;
  return typeof denoAddr === 'string' ? denoAddr : '';
}

/** `c.executionCtx.waitUntil` where there is one (Workers); Hono's getter throws elsewhere. */
function waitUntilOf(c) {
  let ctx;
  try {
    ctx = c.executionCtx;
  } catch {
    return undefined;
  }
  return typeof ctx?.waitUntil === 'function' ? (work) => ctx.waitUntil(work) : undefined;
}

function integration(sso, caller) {
  const found = integrationOf(sso);
  if (!found) throw new TypeError(`edge-sso/hono: ${caller} takes an Sso (new Sso({ ... }) of edge-sso)`);
  return found;
}

function addressOf(options, caller) {
  const remoteAddr = options.remoteAddr ?? defaultRemoteAddr;
  if (typeof remoteAddr !== 'function') throw new TypeError(`edge-sso/hono: ${caller}'s remoteAddr must be a function of the context`);
  return (c) => {
    const addr = remoteAddr(c);
    return typeof addr === 'string' ? addr : '';
  };
}

/**
 * Mounts Zato's REST API (`sso.fetch`) at `/zato/sso/*` of `app`, with the address of
 * `remoteAddr(c)` and the Worker's `waitUntil`. Cookie sessions, CSRF and CORS are `sso.fetch`'s
 * (config `http`). The app must see the path as the client sent it: mount on the root app, not
 * under a `basePath` or `app.route` prefix. Register it before `ssoSession`, which then never
 * runs for these paths.
 */
export function mountSso(app, sso, options = {}) {
  integration(sso, 'mountSso');
  const remoteAddr = addressOf(options, 'mountSso');
  app.all('/zato/sso/*', (c) => sso.fetch(c.req.raw, { remoteAddr: remoteAddr(c), waitUntil: waitUntilOf(c) }));
  return app;
}

/** The UST of each context whose session `ssoSession` found: kept out of `c.var`, so out of anything that prints it. */
const usts = new WeakMap();

/** The UST behind `c.get('ssoSession')` (a credential: for calls on the user's behalf, never for logs), or null. */
export function sessionUst(c) {
  return usts.get(c) ?? null;
}

/** `Authorization: Bearer <ust>` as the core reads it: the scheme in any case, then the trimmed rest. */
function bearerUst(header) {
  const at = header.indexOf(' ');
  if (at < 0 || header.slice(0, at).toLowerCase() !== 'bearer') return undefined;
  return header.slice(at + 1).trim() || undefined;
}

/**
 * Middleware: the request's session into `c.get('ssoUser')` (getCurrentUser's user, without its
 * `totp_key`) and `c.get('ssoSession')` (how the request proved it, whose it is, and the session
 * as `sso.user.session.getCurrent` lists it: `session_id`, times, address; never the UST: see
 * `sessionUst`). No credential, or one that is refused (unknown,
 * expired, logged out, locked user, two session cookies): both null, and the request goes on. A
 * cookie-authenticated state change from another site is refused 403 E008006, as `sso.fetch`
 * refuses it; a failing store answers 500 E008004 (never mistaken for a signed-out user).
 */
export function ssoSession(sso, options = {}) {
  const { web, linkedAny } = integration(sso, 'ssoSession');
  const { currentApp } = options;
  if (typeof currentApp !== 'string' && typeof currentApp !== 'function') {
    throw new TypeError('edge-sso/hono: ssoSession needs currentApp, the app of apps.all these requests come from (a string or a function of the context)');
  }
  const appOf = typeof currentApp === 'function' ? currentApp : () => currentApp;
  const remoteAddr = addressOf(options, 'ssoSession');

  /** `{ ust, source }` of the request, `{ refused: 403 }`, or `{}` when it carries none. */
  const credential = async (c, addr) => {
    const request = c.req.raw;
    const header = request.headers.get('authorization') ?? undefined;
    if (header !== undefined && hasLinkedCredential(header)) {
      if (!linkedAny) return {};
      const external = await sso.authenticate(request, { remoteAddr: addr });
      return external ? { ust: external.ust, source: 'linked' } : {};
    }
    if (header !== undefined) return { ust: bearerUst(header), source: 'bearer' };
    const cookie = web.cookieUst(request, header);
    if (cookie.refused || !cookie.ust) return {};
    if (web.refusal(request, new URL(request.url), cookie.ust) === 403) return { refused: 403 };
    return { ust: cookie.ust, source: 'cookie' };
  };

  return async (c, next) => {
    c.set('ssoUser', null);
    c.set('ssoSession', null);
    const addr = remoteAddr(c);
    try {
      const found = await credential(c, addr);
      if (found.refused) return refusal(c, 403, ['E008006'], 'a change from another site');
      if (found.ust) {
        const app = appOf(c);
        // The session and its user in one store round trip; neither carries a secret (the
        // session by its session_id, the user without totp_key), so a route may echo or log them.
        const { session, user } = await sso.user.session.getCurrent(null, found.ust, app, addr);
        c.set('ssoUser', user);
        c.set('ssoSession', { source: found.source, user_id: user.user_id, ...session });
        usts.set(c, found.ust);
      }
    } catch (e) {
      const err = toSsoError(e);
      if (isHostFailure(err)) return refusal(c, 500, err.sub_status, 'Internal error');
      // Refused credential: as if none was sent. Nothing of it (the UST) reaches a log.
      c.set('ssoUser', null);
      c.set('ssoSession', null);
    }
    await next();
  };
}

function guard(name, allowed) {
  return async (c, next) => {
    const user = c.get('ssoUser');
    if (user === undefined) throw new Error(`edge-sso/hono: ${name}() runs after the ssoSession(sso, { currentApp }) middleware`);
    if (user === null) return refusal(c, 401, ['E005001'], 'Sign-in required', { 'www-authenticate': 'Bearer' });
    if (!allowed(user)) return refusal(c, 403, ['E005001'], 'Super-users only');
    await next();
  };
}

/** A guard: 401 (E005001) without a session; otherwise on to the route. */
export const requireUser = () => guard('requireUser', () => true);

/** A guard: 401 (E005001) without a session, 403 (E005001) for a user who is not a super-user. */
export const requireSuperUser = () => guard('requireSuperUser', (user) => user.is_super_user === true);
