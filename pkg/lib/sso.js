import { WasmSso } from '../wasm/edge_sso.js';
import { manifest } from './manifest.js';
import { SsoError, isHostFailure, toSsoError } from './errors.js';
import { User } from './user.js';
import { withDates, formatZatoTime } from './time.js';
import { prepareDefinitions, proofOf, hasLinkedCredential } from './linked.js';
import { webPolicy } from './web.js';

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export { manifest };

// Limits on what crosses into the wasm, from the manifest. The wasm converts arguments
// recursively, so a value nested thousands of levels deep (or a cycle) would exhaust its
// stack: a trap that leaves the module unusable for the whole process.
const limits = () => manifest().limits;

function invalid(message) {
  return new SsoError(`E008002 common.invalid_input: ${message}`, ['E008002'], false);
}

/**
 * A copy of an argument as plain JSON-like data for the wasm: arrays and objects are copied
 * (own enumerable properties; `__proto__` stays an ordinary key), Dates travel in Zato's
 * format (e.g. `password_expiry` of an update), other values are passed on for the core to
 * accept or refuse. Too deep, cyclic or huge input is E008002 before the wasm sees it.
 */
function toWire(v, budget = { nodes: limits().max_nodes }, depth = 0) {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'invalid date' : formatZatoTime(v);
  if (v === null || typeof v !== 'object') return v;
  // Binary data is no JSON: refused before anything walks its (maybe millions of) elements.
  if (ArrayBuffer.isView(v) || v instanceof ArrayBuffer) throw invalid('binary data (a typed array or buffer) is not accepted: give strings');
  if (depth >= limits().max_depth) throw invalid(`input nested deeper than ${limits().max_depth} levels (or cyclic)`);
  if (Array.isArray(v)) {
    if ((budget.nodes -= v.length + 1) < 0) throw invalid('input too large');
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = toWire(v[i], budget, depth + 1);
    return out;
  }
  const entries = Object.entries(v);
  if ((budget.nodes -= entries.length + 1) < 0) throw invalid('input too large');
  const out = {};
  for (const [k, x] of entries) {
    Object.defineProperty(out, k, { value: toWire(x, budget, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Arguments for the wasm; reading them (a getter, a Proxy) may throw: that is bad input. */
function argsToWire(args, what = 'an argument') {
  try {
    return args.map((a) => toWire(a));
  } catch (e) {
    if (e instanceof SsoError) throw e;
    throw invalid(`${what} could not be read (${e instanceof Error ? e.name : typeof e})`);
  }
}

/**
 * `data` of a create is enriched in place, so it must be able to take new keys: a frozen,
 * sealed or non-extensible object is refused before anything is written.
 */
function checkEnrichable(data) {
  let extensible = true;
  try {
    extensible = !isPlainObject(data) || Object.isExtensible(data);
  } catch {
    throw invalid('data could not be read');
  }
  if (!extensible) throw invalid('data must be extensible (it is enriched in place): not frozen, sealed or non-extensible');
}

/**
 * Replaces the caller's `data` contents with the enriched copy, in place (spec §3.1). The user
 * exists by now, so a property that refuses the write (non-writable, a throwing setter) is
 * skipped rather than reported as a failed create.
 */
function enrichInPlace(data, enriched) {
  if (!isPlainObject(data)) return;
  try {
    Reflect.deleteProperty(data, 'password');
  } catch {
    // a Proxy trap that throws: nothing else to do
  }
  for (const [k, v] of Object.entries(withDates(enriched))) {
    try {
      Reflect.set(data, k, v);
    } catch {
      // as above
    }
  }
}

function withDatesDeep(v) {
  if (Array.isArray(v)) return v.map(withDatesDeep);
  if (isPlainObject(v)) {
    const out = withDates(v);
    for (const [k, x] of Object.entries(out)) if (typeof x === 'object' && x !== null && !(x instanceof Date)) out[k] = withDatesDeep(x);
    return out;
  }
  return v;
}

/** An attribute entity's timestamps as Dates; its value is the caller's data, kept exactly. */
function entityWithDates(e) {
  if (!isPlainObject(e)) return e;
  const out = withDates(e);
  out.value = e.value;
  return out;
}

/**
 * An attribute call's result, by its shape in spec §3.17: `get` / `getMany` of one name give an
 * entity or null, of several names a map of name to entity or null; `toDict` a map. The shape
 * comes from the call, never from the keys (attributes may be named `name` or `value`).
 */
function attrResult(method, args) {
  const names = args[1];
  const single = typeof names === 'string' || (Array.isArray(names) && names.length === 1);
  return (r) => {
    if ((method === 'get' || method === 'getMany') && single) return entityWithDates(r);
    if (method === 'get' || method === 'getMany' || method === 'toDict') {
      if (!isPlainObject(r)) return r;
      const out = {};
      for (const [k, x] of Object.entries(r)) {
        Object.defineProperty(out, k, { value: entityWithDates(x), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    return r;
  };
}

/**
 * What each shape of the manifest makes of a result (src/api/mod.rs `Shape`): `args` are the
 * caller's arguments, as given.
 */
const SHAPES = {
  value: () => (r) => r,
  void: () => () => undefined,
  dates: () => withDatesDeep,
  user: () => (r) => new User(r),
  userOrNull: () => (r) => (r === null ? null : new User(r)),
  date: () => (t) => withDates({ expiration_time: t }).expiration_time,
  current: () => ({ session, user }) => ({ session: withDatesDeep(session), user: new User(user) }),
  search: () => (r) => ({ ...r, result: r.result.map((row) => new User(row)) }),
  attr: (op, args) => attrResult(op.name.slice(op.name.lastIndexOf('.') + 1), args),
  // `data` (the second argument) is enriched in place, as spec §3.1 says.
  enrich: (op, args) => (enriched) => {
    enrichInPlace(args[1], enriched);
    return undefined;
  },
  enrichId: (op, args) => ({ user_id, data: enriched }) => {
    enrichInPlace(args[1], enriched);
    return user_id;
  },
};

/** Binds the operation table of the core to methods; every failure becomes an SsoError. */
function bind(wasm, linked) {
  const web = webPolicy(JSON.parse(wasm.httpConfig()));
  const call = async (op, args, shape = (r) => r) => {
    try {
      return shape(await wasm.call(op, argsToWire(args)));
    } catch (e) {
      throw toSsoError(e);
    }
  };
  const api = {};
  for (const op of manifest().operations) {
    if (op.shape === 'internal') continue;
    const path = op.name.split('.');
    const name = path.pop();
    let node = api;
    for (const part of path) node = node[part] ??= {};
    const enriches = op.shape === 'enrich' || op.shape === 'enrichId';
    const nowAt = op.args.indexOf('now');
    node[name] = async (...args) => {
      if (enriches) checkEnrichable(args[1]);
      // Housekeeping takes its clock as a Date or milliseconds.
      if (nowAt >= 0 && args[nowAt] instanceof Date) args[nowAt] = args[nowAt].getTime();
      return call(op.name, args, SHAPES[op.shape](op, args));
    };
  }
  const freeze = (o) => {
    for (const v of Object.values(o)) if (typeof v === 'object') freeze(v);
    return Object.freeze(o);
  };

  /**
   * `sso.authenticate(request, { remoteAddr, cid, totpCode })`: a request carrying a linked
   * Basic Auth or JWT credential gets the linked user's SSO session, renewed while it lives.
   * Resolves `{ ust, user_id, expiration_time, renewed }`, or null when the request carries
   * no such credential.
   */
  const authenticate = async (request, options = {}) => {
    try {
      if (!(request instanceof Request)) throw invalid('authenticate takes a Request');
      const header = request.headers.get('authorization');
      if (!hasLinkedCredential(header)) return null;
      const proof = await proofOf(header, linked.jwt, linked.now(), request);
      const currentApp = request.headers.get(linked.appHeader) ?? '';
      const totpCode = options.totpCode ?? request.headers.get('x-zato-sso-totp-code') ?? undefined;
      const userAgent = request.headers.get('user-agent') ?? undefined;
      const remoteAddr = typeof options.remoteAddr === 'string' ? options.remoteAddr : '';
      return await call('linked.externalSession', [options.cid, proof, currentApp, remoteAddr, { userAgent, totpCode }], withDates);
    } catch (e) {
      throw toSsoError(e);
    }
  };

  return {
    ...freeze(api),
    authenticate,
    openapi: () => JSON.parse(wasm.openapi()),
    fetch: (request, options) => serve(wasm, request, options, linked.any ? authenticate : null, web),
  };
}


function jsonResponse(status, body, headers = {}) {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** How much of a refused body is read and dropped before the 413 goes out, and for how long. */
const MAX_DRAIN = 32 * 1024 * 1024;
const DRAIN_MS = 2000;

/**
 * Reads and drops the rest of a refused body, up to MAX_DRAIN bytes and DRAIN_MS: a server that
 * answers while the client is still sending may close the connection under it, and the client
 * then sees a reset instead of the 413. Nothing is kept; a slower or larger body is cancelled.
 */
async function drain(reader, already = 0) {
  let size = already;
  let timer;
  const deadline = new Promise((resolve) => { timer = setTimeout(resolve, DRAIN_MS, 'late'); });
  try {
    for (;;) {
      const next = await Promise.race([reader.read(), deadline]);
      if (next === 'late' || next.done) break;
      size += next.value.byteLength;
      if (size > MAX_DRAIN) break;
    }
  } catch {
    // the client went away: nothing left to drain
  } finally {
    clearTimeout(timer);
  }
  reader.cancel().catch(() => {});
}

/** Reads at most `max_body_bytes` (the manifest's limit) bytes, so a huge body is refused without being buffered. */
async function readBody(request) {
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limits().max_body_bytes) {
      await drain(reader, size);
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** `application/json`, with any parameters (`; charset=utf-8`), in any case. */
function isJsonType(contentType) {
  return typeof contentType === 'string' && contentType.split(';')[0].trim().toLowerCase() === 'application/json';
}

/** Cloudflare Workers cancel work a response leaves behind unless it goes to `waitUntil`. */
const onWorkers = () => globalThis.navigator?.userAgent === 'Cloudflare-Workers';

/**
 * `sso.fetch(request, { remoteAddr, waitUntil })`: Zato's REST API; never throws, always JSON.
 * Work the answer does not wait for (POST /password/reset, spec §8.2) goes to `waitUntil`
 * (a Worker's `ctx.waitUntil`), which keeps it alive after the response; in Node, Deno and
 * browsers it simply runs on. On Workers without `waitUntil` the answer waits for it instead,
 * so that no reset is lost. Its failures are in the audit log (result "error"), never an
 * unhandled rejection.
 */
async function serve(wasm, request, options, authenticate, web) {
  try {
    const { remoteAddr, waitUntil } = options ?? {};
    if (!(request instanceof Request)) {
      return jsonResponse(400, { result: 'Error', cid: '', details: 'sso.fetch takes a Request' });
    }
    const url = new URL(request.url);
    const preflight = web.preflight(request);
    if (preflight) return preflight;
    const cors = web.cors(request);
    const declared = Number(request.headers.get('content-length') ?? 0);
    // A body comes only as application/json (the core refuses any other body it is given):
    // text/plain, forms and multipart are what a browser sends cross-site without a CORS
    // preflight. Refused here when the length is declared, without reading the body.
    if (declared > 0 && !isJsonType(request.headers.get('content-type'))) {
      if (declared <= MAX_DRAIN && request.body) await drain(request.body.getReader());
      return jsonResponse(415, { result: 'Error', cid: '', details: 'Content-Type must be application/json' }, cors);
    }
    const maxBody = limits().max_body_bytes;
    if (declared > maxBody && declared <= MAX_DRAIN && request.body) await drain(request.body.getReader());
    const body = declared > maxBody ? null : await readBody(request);
    if (body === null) return jsonResponse(413, { result: 'Error', cid: '', details: 'Request body too large' }, cors);
    // A linked Basic Auth or JWT credential (spec §3.18) stands for the linked user's UST,
    // which goes back in X-Zato-SSO-UST.
    let authorization = request.headers.get('authorization') ?? undefined;
    let extUst;
    if (authenticate && hasLinkedCredential(authorization)) {
      try {
        extUst = (await authenticate(request, { remoteAddr })).ust;
      } catch (e) {
        const err = toSsoError(e);
        const hostFailure = isHostFailure(err);
        return jsonResponse(hostFailure ? 500 : 403, { cid: '', status: 'error', sub_status: err.reveal || hostFailure ? err.sub_status : ['E005001'] }, cors);
      }
      authorization = `Bearer ${extUst}`;
    }
    // With cookie sessions, the cookie stands for the UST, and state changes must come from
    // this site or an allowed origin (CSRF).
    const cookie = web.cookieUst(request, authorization, url, body);
    if (cookie.refused) return jsonResponse(400, { result: 'Error', cid: '', details: 'more than one session cookie' }, cors);
    const fromCookie = cookie.ust;
    const refusal = web.refusal(request, url, fromCookie);
    if (refusal === 405) return jsonResponse(405, { result: 'Error', cid: '', details: 'Method not allowed: POST' }, { ...cors, Allow: 'POST' });
    if (refusal === 403) {
      return jsonResponse(403, { cid: '', status: 'error', sub_status: ['E008006'], details: 'a change from another site' }, cors);
    }
    if (fromCookie) authorization = `Bearer ${fromCookie}`;
    const { status, body: text, deferred } = await wasm.rest(
      request.method, url.pathname, url.search.slice(1), body,
      request.headers.get('content-type') ?? undefined, typeof remoteAddr === 'string' ? remoteAddr : '',
      request.headers.get('user-agent') ?? undefined, authorization,
    );
    if (deferred) {
      const settled = deferred.then(() => undefined, () => undefined);
      let kept = false;
      if (typeof waitUntil === 'function') {
        // An unbound `ctx.waitUntil` throws ("Illegal invocation"): then as if none was given.
        try { waitUntil(settled); kept = true; } catch { /* below */ }
      }
      if (!kept && onWorkers()) await settled;
    }
    const session = web.session(request, url, status, text, fromCookie);
    const response = jsonResponse(status, session.text, cors);
    if (session.cookie) response.headers.set('Set-Cookie', session.cookie);
    if (extUst) response.headers.set('X-Zato-SSO-UST', extUst);
    return response;
  } catch {
    return jsonResponse(500, { result: 'Error', cid: '', details: 'Internal error' });
  }
}

/**
 * A store whose calls give up after `ms`: a hung backend fails the operation (E008004)
 * instead of hanging it. Anything that is not a store object is passed on for the core to
 * refuse with a proper message.
 */
function withTimeout(store, ms) {
  // Beyond 2^31 - 1 ms setTimeout fires at once: such a limit (or Infinity) means none.
  if (store === null || typeof store !== 'object' || !(ms > 0) || ms > 2_147_483_647) return store;
  const wrapped = {};
  for (const name of ['get', 'put', 'delete', 'list', 'putIfAbsent', 'getMany', 'commit']) {
    const fn = store[name];
    if (typeof fn !== 'function') continue;
    wrapped[name] = (...args) => {
      const result = fn.apply(store, args);
      if (!result || typeof result.then !== 'function') return result;
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`store.${name} did not answer within ${ms} ms`)), ms);
      });
      return Promise.race([result, timeout]).finally(() => clearTimeout(timer));
    };
  }
  return wrapped;
}

/**
 * What an integration in this package (edge-sso/hono) reads of an `Sso` beyond its public
 * methods: the `http` policy (cookie name, CSRF check) and whether linked definitions exist, so
 * that it finds a request's session exactly as `sso.fetch` does. Not part of the public API.
 */
const integrations = new WeakMap();

/** `{ web, linkedAny }` of an `Sso`, or undefined for anything else. */
export function integrationOf(sso) {
  return integrations.get(sso);
}

export class Sso {
  /**
   * @param {{ store: object, audit?: Function, secretKey: string | string[], config?: object,
   *           now?: () => number, hooks?: object }} options
   */
  constructor(options) {
    if (!isPlainObject(options)) {
      throw new SsoError('E008002 common.invalid_input: options must be an object', ['E008002'], false);
    }
    let wasm;
    let linked;
    try {
      const { storeTimeoutMs = 10_000, securityDefinitions, ...rest } = options;
      if ('config' in rest) [rest.config] = argsToWire([rest.config], 'config');
      const defs = prepareDefinitions(securityDefinitions);
      if (defs.forCore) [rest.securityDefinitions] = argsToWire([defs.forCore], 'securityDefinitions');
      wasm = new WasmSso({ ...rest, store: withTimeout(options.store, storeTimeoutMs) });
      const appHeader = rest.config?.apps?.http_header;
      linked = {
        jwt: defs.jwt,
        any: Boolean(defs.forCore && (defs.forCore.basic_auth.length > 0 || defs.forCore.jwt.length > 0)),
        appHeader: typeof appHeader === 'string' && appHeader ? appHeader : 'X-Zato-SSO-Current-App',
        now: typeof options.now === 'function' ? () => Number(options.now()) : () => Date.now(),
      };
    } catch (e) {
      throw toSsoError(e);
    }
    Object.assign(this, bind(wasm, linked));
    integrations.set(this, { web: webPolicy(JSON.parse(wasm.httpConfig())), linkedAny: linked.any });
    Object.freeze(this);
  }
}
