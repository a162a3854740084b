// edge-sso on Node.js: Zato's SSO REST API on node:http, with an in-memory store.
//   SSO_SECRET_KEY=$(openssl rand -base64 32) node examples/node/server.mjs
// Swap MemoryStore for any object with the Store shape (get/put/delete/list/putIfAbsent)
// backed by your database.
import { createServer } from 'node:http';
import { Sso, SsoError, MemoryStore } from 'edge-sso';

const LIMIT = 1024 * 1024;

/** Turns a node:http request into a fetch Request and the Response back. */
export function serve(sso) {
  return createServer((req, res) => {
    // A client gone mid-body or a request no URL can be made of must not take the server down.
    handle(sso, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: 'Error', cid: '', details: 'Bad request' }));
    });
  });
}

async function handle(sso, req, res) {
  const chunks = [];
  let size = 0;
  // Read to the end (the client is still sending), keeping at most what sso.fetch accepts.
  for await (const c of req) {
    size += c.length;
    if (size <= LIMIT + 1) chunks.push(c);
  }
  if (size > LIMIT) {
    res.writeHead(413, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ result: 'Error', cid: '', details: 'Request body too large' }));
    return;
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  // The path and query come from the request line; the Host header is the client's to forge.
  const request = new Request(`http://localhost${req.url}`, {
    method: req.method,
    headers: Object.entries(req.headers).filter(([, v]) => typeof v === 'string'),
    body: hasBody ? Buffer.concat(chunks) : undefined,
  });
  const response = await sso.fetch(request, { remoteAddr: req.socket.remoteAddress ?? '' });
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}

export async function createSso({ secretKey, admin, config, store = new MemoryStore() }) {
  const sso = new Sso({ store, secretKey, config });
  if (admin?.username && admin?.password) {
    try {
      await sso.user.createSuperUser('bootstrap', { ...admin });
    } catch (e) {
      if (!(e instanceof SsoError && e.code === 'E001002')) throw e;
    }
  }
  return sso;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const sso = await createSso({
    secretKey: process.env.SSO_SECRET_KEY,
    admin: { username: process.env.SSO_ADMIN_USERNAME, password: process.env.SSO_ADMIN_PASSWORD },
  });
  setInterval(() => sso.cleanup().catch(console.error), 15 * 60_000).unref();
  const port = Number(process.env.PORT ?? 8080);
  serve(sso).listen(port, '127.0.0.1', () => console.log(`edge-sso REST API on http://127.0.0.1:${port}/zato/sso/`));
}
