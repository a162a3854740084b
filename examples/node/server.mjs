// edge-sso on Node.js: Zato's SSO REST API on node:http, with an in-memory store.
//   SSO_SECRET_KEY=$(openssl rand -base64 32) node examples/node/server.mjs
// Swap MemoryStore for any object with the Store shape (get/put/delete/list/putIfAbsent)
// backed by your database.
import { createServer } from 'node:http';
import { Sso, SsoError, MemoryStore, toNodeHandler } from 'edge-sso';

/** Zato's REST API on node:http; GET inputs may come as a JSON body, as Zato's clients send them. */
export function serve(sso) {
  return createServer(toNodeHandler(sso));
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
