// `toNodeHandler(sso)`: Zato's REST API on node:http (and Express, which passes the same
// request and response objects). Zato's own clients (`requests`-based) send a GET's inputs as a
// JSON body, which the Fetch API cannot carry: here such a body's fields become query parameters
// (strings as they are, other values as JSON, as the REST layer reads lists), a parameter in the
// URL winning over the same field in the body.

const LIMIT = 1024 * 1024;

function concat(chunks, size) {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** The URL with a GET's JSON body folded into its query; the URL unchanged otherwise. */
function withBodyInQuery(url, body, contentType) {
  if (body.length === 0) return url;
  if (!/^application\/json\s*(;|$)/i.test(contentType ?? '')) return null;
  let fields;
  try {
    fields = JSON.parse(new TextDecoder().decode(body));
  } catch {
    return null;
  }
  if (fields === null || typeof fields !== 'object' || Array.isArray(fields)) return null;
  for (const [k, v] of Object.entries(fields)) {
    if (url.searchParams.has(k) || v === undefined) continue;
    url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
  }
  return url;
}

const refuse = (res, status, details) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ result: 'Error', cid: '', details }));
};

/**
 * A `(req, res)` handler for `http.createServer` or Express: the request goes to `sso.fetch`,
 * the response back. `remoteAddr(req)` gives the client's address (default: the socket's; behind
 * a proxy, give the header your proxy sets).
 */
export function toNodeHandler(sso, { remoteAddr = (req) => req.socket?.remoteAddress ?? '' } = {}) {
  return (req, res) => {
    handle(sso, req, res, remoteAddr).catch(() => {
      // A client gone mid-body or a request no URL can be made of must not take the server down.
      if (!res.headersSent) refuse(res, 400, 'Bad request');
      else res.end();
    });
  };
}

async function handle(sso, req, res, remoteAddr) {
  const chunks = [];
  let size = 0;
  // Read to the end (the client is still sending), keeping at most what sso.fetch accepts.
  for await (const c of req) {
    size += c.length;
    if (size <= LIMIT + 1) chunks.push(c);
  }
  if (size > LIMIT) return refuse(res, 413, 'Request body too large');
  const body = concat(chunks, Math.min(size, LIMIT + 1));
  // The path and query come from the request line. The origin is the one the client addressed
  // (its Host header, the scheme of this socket): what a browser's `Origin` is compared with for
  // cookie sessions' CSRF check. A client can name any host here, but a browser names the real
  // one, which is what matters against CSRF; behind a TLS proxy list the public origin in
  // `http.allowed_origins`.
  const host = typeof req.headers.host === 'string' && /^[A-Za-z0-9.\-:[\]]+$/.test(req.headers.host) ? req.headers.host : 'localhost';
  let url;
  try {
    url = new URL(req.url, `${req.socket?.encrypted ? 'https' : 'http'}://${host}`);
  } catch {
    url = new URL(req.url, 'http://localhost');
  }
  const bodiless = req.method === 'GET' || req.method === 'HEAD';
  if (bodiless) {
    url = withBodyInQuery(url, body, req.headers['content-type']);
    if (!url) return refuse(res, 400, 'A GET body must be a JSON object (application/json)');
  }
  const headers = Object.entries(req.headers).filter(([k, v]) => typeof v === 'string' && !(bodiless && /^content-(type|length)$/i.test(k)));
  const request = new Request(url, { method: req.method, headers, body: bodiless ? undefined : body });
  const response = await sso.fetch(request, { remoteAddr: remoteAddr(req) });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(new Uint8Array(await response.arrayBuffer()));
}
