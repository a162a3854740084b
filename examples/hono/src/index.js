// A Hono app on Cloudflare Workers that signs its users in through edge-sso. Environment:
//   SSO_SECRET_KEY   base64 of 32 bytes (or a JSON array of keys, newest first)
//   SSO_SHARDS       Durable Object namespace of class SsoShard (storage), SSO_SHARD_COUNT of them
//   SSO_APP          the app of sso.conf's apps.all these pages belong to (default "CRM")
//   SSO_CONFIG       optional sso.conf as JSON, e.g. {"http": {"cookie_sessions": true}}
//   SSO_ADMIN_USERNAME / SSO_ADMIN_PASSWORD   optional: the super-user created on first use
import { Hono } from 'hono';
import { Sso, SsoError, PartitionedDurableObjectStore, StoreShard } from 'edge-sso';
import { mountSso, ssoSession, requireUser, requireSuperUser, sessionUst, defaultRemoteAddr } from 'edge-sso/hono';

/** The storage partitions (binding SSO_SHARDS). */
export class SsoShard extends StoreShard {}

function secretKey(env) {
  const k = env.SSO_SECRET_KEY ?? '';
  return k.trim().startsWith('[') ? JSON.parse(k) : k;
}

/** Creates the configured super-user once; "username taken" means it exists already. */
async function bootstrap(sso, env) {
  if (!env.SSO_ADMIN_USERNAME || !env.SSO_ADMIN_PASSWORD) return;
  try {
    await sso.user.createSuperUser('bootstrap', { username: env.SSO_ADMIN_USERNAME, password: env.SSO_ADMIN_PASSWORD });
  } catch (e) {
    if (!(e instanceof SsoError && e.code === 'E001002')) throw e;
  }
}

/** The app's routes around one Sso. */
function makeApp(sso, currentApp) {
  const app = new Hono();
  // Zato's REST API (login, logout, users, sessions ...) first: the middleware then never runs there.
  mountSso(app, sso);
  app.use('*', ssoSession(sso, { currentApp }));

  app.get('/', (c) => c.json({ signed_in_as: c.get('ssoUser')?.username ?? null }));

  app.get('/me', requireUser(), (c) => {
    const user = c.get('ssoUser');
    return c.json({ username: user.username, display_name: user.display_name, signed_in_by: c.get('ssoSession').source });
  });

  // A change the user makes through the app: with cookie sessions, the middleware refuses it from
  // another site (403 E008006) before it gets here.
  app.put('/me/display-name', requireUser(), async (c) => {
    const { display_name } = await c.req.json();
    await sso.user.updateCurrentUser(null, { display_name }, sessionUst(c), currentApp, defaultRemoteAddr(c));
    return c.json({ display_name });
  });

  // A super-user's page, calling edge-sso on the user's behalf with the session's UST.
  app.get('/admin/users', requireSuperUser(), async (c) => {
    const found = await sso.user.search(null, { paginate: true, page_size: 50 }, sessionUst(c), currentApp, defaultRemoteAddr(c));
    return c.json({ total: found.total, usernames: found.result.map((u) => u.username) });
  });
  // edge-sso's refusals in the REST API's envelope; a hidden code shows as E005001, as there.
  app.onError((e, c) => {
    if (e instanceof SsoError && !e.sub_status.includes('E008004')) {
      return c.json({ cid: '', status: 'error', sub_status: e.reveal ? e.sub_status : ['E005001'] }, 400);
    }
    return c.json({ cid: '', status: 'error', sub_status: ['E008004'] }, 500);
  });
  return app;
}

let ready;

/** One Sso and app per isolate; a failed start is tried again by the next request. */
function appOf(env) {
  ready ??= (async () => {
    const sso = new Sso({
      store: new PartitionedDurableObjectStore(env.SSO_SHARDS, { shards: Number(env.SSO_SHARD_COUNT ?? 16) }),
      secretKey: secretKey(env),
      config: env.SSO_CONFIG ? JSON.parse(env.SSO_CONFIG) : undefined,
    });
    await bootstrap(sso, env);
    return { sso, app: makeApp(sso, env.SSO_APP ?? 'CRM') };
  })().catch((e) => {
    ready = undefined;
    throw e;
  });
  return ready;
}

export default {
  async fetch(request, env, ctx) {
    const { app } = await appOf(env);
    return app.fetch(request, env, ctx);
  },

  async scheduled(_event, env, ctx) {
    ctx.waitUntil(appOf(env).then(({ sso }) => sso.cleanup()));
  },
};
