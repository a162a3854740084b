// Browsers in front of `sso.fetch` (config section `http`, README "Web apps"): the UST in an
// HttpOnly cookie instead of page JavaScript, the CSRF defence that cookie needs (OWASP's CSRF
// cheat sheet: verify Origin, falling back to Sec-Fetch-Site), and CORS for exact allowed
// origins. Everything here is opt-in: with the defaults `sso.fetch` behaves as Zato's REST API.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALLOWED_HEADERS = 'content-type, authorization, x-zato-sso-current-app, x-zato-sso-totp-code';

function cookieValue(header, name) {
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(at + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The policy of one `Sso`, from its `http` config (`WasmSso.httpConfig`). */
export function webPolicy(config) {
  const origins = new Set(config.allowed_origins);
  const attributes = 'HttpOnly; Secure; SameSite=Lax; Path=/';
  const setCookie = (value, maxAge) => `${config.cookie_name}=${encodeURIComponent(value)}; ${attributes}; Max-Age=${Math.max(0, Math.floor(maxAge))}`;

  /** Is the request from the site it is sent to (or from an allowed origin)? */
  const sameSiteOrAllowed = (request, url) => {
    const origin = request.headers.get('origin');
    if (origin) return origin === url.origin || origins.has(origin);
    const site = request.headers.get('sec-fetch-site');
    return !site || site === 'same-origin' || site === 'none';
  };

  return {
    /** CORS headers for this request's origin: none for an origin not allowed. */
    cors(request) {
      if (origins.size === 0) return {};
      const origin = request.headers.get('origin');
      if (!origin || !origins.has(origin)) return { Vary: 'Origin' };
      return {
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
        'Access-Control-Expose-Headers': 'X-Zato-SSO-UST',
        Vary: 'Origin',
      };
    },

    /** A CORS preflight's answer, or null when the request is not one. */
    preflight(request) {
      if (request.method !== 'OPTIONS' || !request.headers.has('access-control-request-method')) return null;
      const headers = this.cors(request);
      if (!headers['Access-Control-Allow-Origin']) return new Response(null, { status: 403, headers: { Vary: 'Origin' } });
      return new Response(null, {
        status: 204,
        headers: { ...headers, 'Access-Control-Allow-Methods': 'GET, POST, PATCH, DELETE', 'Access-Control-Allow-Headers': ALLOWED_HEADERS, 'Access-Control-Max-Age': '600' },
      });
    },

    /** The UST of the session cookie, when cookie sessions are on and the request has no other credential. */
    cookieUst(request, authorization) {
      if (!config.cookie_sessions || authorization) return undefined;
      return cookieValue(request.headers.get('cookie'), config.cookie_name);
    },

    /** A cookie-authenticated request that changes state must come from this site or an allowed origin. */
    csrfRefused(request, url) {
      return !SAFE_METHODS.has(request.method) && !sameSiteOrAllowed(request, url);
    },

    /**
     * With cookie sessions, what a response does to the cookie: a login sets it (and its UST
     * leaves the body), a renew of the cookie's session extends it, a logout clears it.
     * Returns `{ text, cookie }` (cookie: a Set-Cookie value, or undefined).
     */
    session(request, url, status, text, fromCookie) {
      if (!config.cookie_sessions || status !== 200) return { text };
      const endpoint = url.pathname.replace(/\/+$/, '');
      if (endpoint === '/zato/sso/user/logout') return { text, cookie: setCookie('', 0) };
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        return { text };
      }
      if (body?.status === 'error') return { text };
      if (endpoint === '/zato/sso/user/login' && request.method === 'POST' && typeof body.ust === 'string') {
        const { ust, ...rest } = body;
        return { text: JSON.stringify(rest), cookie: setCookie(ust, config.session_minutes * 60) };
      }
      if (endpoint === '/zato/sso/user/session' && request.method === 'PATCH' && fromCookie && typeof body.expiration_time === 'string') {
        const seconds = (Date.parse(`${body.expiration_time}Z`) - Date.now()) / 1000;
        return { text, cookie: setCookie(fromCookie, Number.isFinite(seconds) ? seconds : config.session_minutes * 60) };
      }
      return { text };
    },
  };
}
