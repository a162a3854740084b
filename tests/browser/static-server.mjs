// A small static file server for the browser tests and the console: the repository root,
// read-only, loopback only, with the MIME types browsers insist on (application/wasm).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** Chromium in a sandbox with no network: no first-run, sync or component traffic. */
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.ico': 'image/x-icon',
};

export function staticServer(root, { index = 'index.html' } = {}) {
  const base = resolve(root);
  return createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(base, path));
      if (file !== base && !file.startsWith(base + sep)) throw new Error('outside the root');
      if ((await stat(file)).isDirectory()) file = join(file, index);
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
}

/**
 * The console's server: `www/` at `/`, the package at `/pkg/`, and, when given, `rest(req, res)`
 * for `/zato/sso/`.
 */
export function consoleServer(root, rest) {
  const www = staticServer(resolve(root, 'www'));
  // Rooted at pkg/ itself, so that `/pkg/../` cannot reach the rest of the repository (nor
  // .demo/, which holds the demo's secrets).
  const pkg = staticServer(resolve(root, 'pkg'));
  return createServer((req, res) => {
    if (rest && req.url.startsWith('/zato/sso/')) return rest(req, res);
    if (req.url.startsWith('/pkg/')) {
      req.url = req.url.slice('/pkg'.length);
      return pkg.emit('request', req, res);
    }
    www.emit('request', req, res);
  });
}

/** A `rest(req, res)` for consoleServer that hands requests to a Miniflare worker. */
export function viaMiniflare(mf) {
  return async (req, res) => {
    try {
      const chunks = [];
      for await (const c of req) chunks.push(c);
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([, v]) => typeof v === 'string'));
      headers['cf-connecting-ip'] = req.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
      const r = await mf.dispatchFetch(`http://localhost${req.url}`, { method: req.method, headers, body: hasBody ? Buffer.concat(chunks) : undefined });
      res.writeHead(r.status, Object.fromEntries(r.headers));
      res.end(Buffer.from(await r.arrayBuffer()));
    } catch {
      // A client gone mid-request, or a request no URL can be made of: never the server's end.
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ result: 'Error', cid: '', details: 'Bad request' }));
    }
  };
}
