// `edge-sso/hono`: edge-sso in a Hono 4 app (README "Web apps: cookie sessions, CSRF and CORS").
import type { Context, Hono, MiddlewareHandler } from 'hono';
import type { Sso, User, SessionInfo } from './index.js';

/** How `ssoSession` found the request's session. */
export type SsoSessionSource = 'cookie' | 'bearer' | 'linked';

/**
 * The request's session: how it came (`source`), whose it is, and its record as
 * `sso.user.session.getCurrent` gives it (a `session_id`, never the UST: see `sessionUst`).
 */
export interface SsoSession extends SessionInfo {
  source: SsoSessionSource;
  user_id: string;
}

/**
 * The variables `ssoSession` sets: null when the request has no session (or a refused one).
 * Declare them on your app, `new Hono<SsoEnv>()` or `{ Variables: SsoVariables & ... }`.
 */
export type SsoVariables = {
  /** `getCurrentUser`'s user, without `totp_key`. */
  ssoUser: User | null;
  ssoSession: SsoSession | null;
};

export type SsoEnv = { Variables: SsoVariables };

/** What a route after `requireUser()` / `requireSuperUser()` sees: never null. */
export type SsoSignedInEnv = { Variables: { ssoUser: User; ssoSession: SsoSession } };

export interface MountSsoOptions {
  /** The client's address (default: `defaultRemoteAddr`). */
  remoteAddr?: (c: Context) => string;
}

export interface SsoSessionOptions extends MountSsoOptions {
  /** The app (one of config `apps.all`) sessions are checked for. */
  currentApp: string | ((c: Context) => string);
}

/**
 * Zato's REST API (`sso.fetch`) at `/zato/sso/*` of `app`, with the Worker's `waitUntil`.
 * Mount it on the root app, before `ssoSession`.
 */
export declare function mountSso<A extends Hono<any, any, any>>(app: A, sso: Sso, options?: MountSsoOptions): A;

/**
 * Middleware: a bearer UST, a linked credential or the session cookie (`http.cookie_sessions`)
 * into `ssoUser` and `ssoSession`; both null without a valid one. A cookie-authenticated change
 * from another site answers 403 `E008006`; a failing store 500.
 */
export declare function ssoSession(sso: Sso, options: SsoSessionOptions): MiddlewareHandler<SsoEnv>;

/** 401 `E005001` without a session. */
export declare function requireUser(): MiddlewareHandler<SsoSignedInEnv>;

/** 401 `E005001` without a session, 403 `E005001` for a user who is not a super-user. */
export declare function requireSuperUser(): MiddlewareHandler<SsoSignedInEnv>;

/** The UST behind `c.get('ssoSession')`, for calls on the user's behalf (a credential: never log it), or null. */
export declare function sessionUst(c: Context): string | null;

/** On Workers `CF-Connecting-IP`; on @hono/node-server the socket's address; on `Deno.serve` the connection's; else `''`. */
export declare function defaultRemoteAddr(c: Context): string;
