// Browsers in front of `sso.fetch` (config section `http`, README "Web apps"): the UST in an
// HttpOnly cookie instead of page JavaScript, the CSRF defence that cookie needs (OWASP's CSRF
// cheat sheet: verify Origin, falling back to Sec-Fetch-Site), and CORS for exact allowed
// origins. Everything here is opt-in: with the defaults `sso.fetch` behaves as Zato's REST API.

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
const ALLOWED_HEADERS = 'content-type, authorization, x-zato-sso-current-app, x-zato-sso-totp-code';

/** Every value of cookie `name` in a Cookie header. */
function cookieValues(header, name) {
  if (typeof header !== 'string') return [];
  const out = [];
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at < 0 || part.slice(0, at).trim() !== name) continue;
    try {
      out.push(decodeURIComponent(part.slice(at + 1).trim()));
    } catch {
      out.push('');
    }
  }
  return out;
}

/**
 * Whether the request's input (query, then a JSON object body, as the core reads them) names the
 * UST the cookie would stand for: `current_ust` when it names a `target_ust`, `ust` otherwise.
 * The core takes that input over any header, so the cookie plays no part in such a request.
 */
function ustInInput(url, body) {
  // No prototype, and own keys copied one by one: a `__proto__` key in the body is an input
  // like any other (as the core reads it), never an inherited `target_ust`.
  const fields = Object.create(null);
  for (const [k, v] of url.searchParams) fields[k] = v;
  if (body?.length) {
    try {
      const parsed = JSON.parse(new TextDecoder().decode(body));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        for (const k of Object.keys(parsed)) fields[k] = parsed[k];
      }
    } catch {
      // not JSON: the core refuses it, the cookie aside
    }
  }
  const target = Object.hasOwn(fields, 'target_ust') ? fields.target_ust : undefined;
  const key = typeof target === 'string' && target !== '' ? 'current_ust' : 'ust';
  return Object.hasOwn(fields, key);
}

/** Login and logout change state whatever Zato's method; with cookies they are POST only. */
const POST_ONLY = new Set(['/zato/sso/user/login', '/zato/sso/user/logout']);

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
        headers: { ...headers, 'Access-Control-Allow-Methods': ALLOWED_METHODS, 'Access-Control-Allow-Headers': ALLOWED_HEADERS, 'Access-Control-Max-Age': '600' },
      });
    },

    /**
     * The UST of the session cookie, when cookie sessions are on and the request has no other
     * credential: an Authorization header, or, for the REST API (`url` and `body` given), a UST
     * in its input (then the cookie is neither used, nor CSRF-checked, nor cleared by a logout
     * or extended by a renew of that other session; an app's own routes, edge-sso/hono's, give
     * neither). Two cookies of that name (one tossed in by a sibling subdomain, say) are
     * refused: `{ refused: true }`.
     */
    cookieUst(request, authorization, url = undefined, body = undefined) {
      if (!config.cookie_sessions || authorization || (url && ustInInput(url, body))) return {};
      const values = cookieValues(request.headers.get('cookie'), config.cookie_name);
      if (values.length > 1) return { refused: true };
      return { ust: values[0] || undefined };
    },

    /**
     * With cookie sessions, which requests are refused before the core sees them: a login or
     * logout that is not a POST (405: a cross-site GET would log someone out, or log them in
     * as the attacker with the UST in the body), and a state change (any method but GET, HEAD,
     * OPTIONS) from another site or an origin not allowed (CSRF, E008006) when the cookie
     * authenticates it, or when it is a login (whose answer sets the cookie: a cross-site form
     * could otherwise plant the attacker's session). Bearer and input credentials are no
     * ambient credentials: requests carrying them are not refused.
     */
    refusal(request, url, fromCookie) {
      if (!config.cookie_sessions) return null;
      const endpoint = url.pathname.replace(/\/+$/, '');
      if (POST_ONLY.has(endpoint) && request.method !== 'POST') return 405;
      const sets = endpoint === '/zato/sso/user/login';
      if ((fromCookie || sets) && !SAFE_METHODS.has(request.method) && !sameSiteOrAllowed(request, url)) return 403;
      return null;
    },

    /**
     * With cookie sessions, what a response does to the cookie: a login sets it (and its UST
     * leaves the body), a renew of the cookie's session extends it, its logout clears it.
     * Returns `{ text, cookie }` (cookie: a Set-Cookie value, or undefined).
     */
    session(request, url, status, text, fromCookie) {
      if (!config.cookie_sessions || status !== 200) return { text };
      const endpoint = url.pathname.replace(/\/+$/, '');
      // Only the cookie's own session ending clears it (another UST's logout leaves it).
      if (endpoint === '/zato/sso/user/logout') return fromCookie ? { text, cookie: setCookie('', 0) } : { text };
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
