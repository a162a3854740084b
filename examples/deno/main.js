// edge-sso on Deno: Zato's SSO REST API over Deno KV (strongly consistent; usernames are
// claimed with an atomic check-and-set).
//   SSO_SECRET_KEY=$(openssl rand -base64 32) deno run -A --unstable-kv examples/deno/main.js
// Optional: SSO_KV_PATH (a file; default: Deno's default database), SSO_ADMIN_USERNAME /
// SSO_ADMIN_PASSWORD (created on start), PORT (default 8000).
import { Sso, SsoError, DenoKvStore } from 'edge-sso';

export async function createHandler({ kvPath, secretKey, admin, config } = {}) {
  const kv = await Deno.openKv(kvPath);
  const sso = new Sso({ store: new DenoKvStore(kv), secretKey, config });
  if (admin?.username && admin?.password) {
    try {
      await sso.user.createSuperUser('bootstrap', { ...admin });
    } catch (e) {
      if (!(e instanceof SsoError && e.code === 'E001002')) throw e;
    }
  }
  const handler = (request, info) => sso.fetch(request, { remoteAddr: info?.remoteAddr?.hostname ?? '' });
  return { handler, sso, close: () => kv.close() };
}

if (import.meta.main) {
  const { handler, sso } = await createHandler({
    kvPath: Deno.env.get('SSO_KV_PATH'),
    secretKey: Deno.env.get('SSO_SECRET_KEY'),
    admin: { username: Deno.env.get('SSO_ADMIN_USERNAME'), password: Deno.env.get('SSO_ADMIN_PASSWORD') },
  });
  Deno.cron?.('edge-sso cleanup', '*/15 * * * *', () => sso.cleanup());
  Deno.serve({ port: Number(Deno.env.get('PORT') ?? 8000) }, handler);
}
