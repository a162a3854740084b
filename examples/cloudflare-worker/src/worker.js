// edge-sso on Cloudflare Workers. Environment:
//   SSO_SECRET_KEY   base64 of 32 bytes (or a JSON array of keys, newest first)
//   SSO_STORE        "partitioned" (the default strongly consistent mode: the core here, storage
//                    in SSO_SHARD_COUNT Durable Objects of class SsoShard, binding SSO_SHARDS),
//                    "kv" (SSO_KV namespace: eventually consistent), "durable-object" (SSO_DO:
//                    everything in one object, small scale) or "d1" (the D1 database DB; its
//                    table is created on first use)
//   SSO_CONFIG       optional sso.conf as JSON
//   SSO_ADMIN_USERNAME / SSO_ADMIN_PASSWORD   optional: the super-user created on first use
//   SSO_RESET_WEBHOOK  optional URL: each password-reset message (JSON, the token inside) is
//                      POSTed there, to your mail service; SSO_RESET_WEBHOOK_TOKEN, if set, goes
//                      with it as a bearer token. Without it, reset tokens are made, not sent.
import { DurableObject } from 'cloudflare:workers';
import { Sso, SsoError, DurableObjectStore, D1Store, PartitionedDurableObjectStore, StoreShard } from 'edge-sso';

function secretKey(env) {
  const k = env.SSO_SECRET_KEY ?? '';
  return k.trim().startsWith('[') ? JSON.parse(k) : k;
}

/** Delivers password-reset messages to SSO_RESET_WEBHOOK; a refusal is an error edge-sso audits. */
function resetWebhook(env) {
  if (!env.SSO_RESET_WEBHOOK) return undefined;
  return async (message) => {
    const headers = { 'content-type': 'application/json' };
    if (env.SSO_RESET_WEBHOOK_TOKEN) headers.authorization = `Bearer ${env.SSO_RESET_WEBHOOK_TOKEN}`;
    const r = await fetch(env.SSO_RESET_WEBHOOK, { method: 'POST', headers, body: JSON.stringify(message) });
    if (!r.ok) throw new Error(`the reset webhook answered ${r.status}`);
    return true;
  };
}

function makeSso(env, store) {
  const sendPasswordReset = resetWebhook(env);
  return new Sso({
    store,
    secretKey: secretKey(env),
    config: env.SSO_CONFIG ? JSON.parse(env.SSO_CONFIG) : undefined,
    audit: env.SSO_AUDIT === 'console' ? (event) => console.log(JSON.stringify(event)) : undefined,
    hooks: sendPasswordReset ? { sendPasswordReset } : undefined,
  });
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

const remoteAddr = (request) => request.headers.get('CF-Connecting-IP') ?? '';

let kvSso;
let kvReady;

/** One Sso per isolate over the KV namespace. */
function kvInstance(env) {
  kvSso ??= makeSso(env, env.SSO_KV);
  kvReady ??= bootstrap(kvSso, env).catch((e) => { kvReady = undefined; throw e; });
  return kvReady.then(() => kvSso);
}

let d1Sso;
let d1Ready;

/** One Sso per isolate over the D1 database: strongly consistent, atomic commits (one batch each). */
function d1Instance(env) {
  d1Ready ??= D1Store.open(env.DB).then((store) => {
    d1Sso = makeSso(env, store);
    return bootstrap(d1Sso, env);
  }).catch((e) => { d1Ready = undefined; throw e; });
  return d1Ready.then(() => d1Sso);
}

let partitionedSso;
let partitionedReady;

/**
 * The default strongly consistent mode: the core runs here, in every isolate (hashing and
 * sealing scale with them), and storage is partitioned over SSO_SHARD_COUNT Durable Objects
 * (16 by default; fixed for a deployment, changing it moves keys).
 */
function partitionedInstance(env) {
  partitionedSso ??= makeSso(env, new PartitionedDurableObjectStore(env.SSO_SHARDS, { shards: Number(env.SSO_SHARD_COUNT ?? 16) }));
  partitionedReady ??= bootstrap(partitionedSso, env).catch((e) => { partitionedReady = undefined; throw e; });
  return partitionedReady.then(() => partitionedSso);
}

/** The storage partitions of the "partitioned" mode (binding SSO_SHARDS). */
export class SsoShard extends StoreShard {}

/** One of the isolate's Sso instances: SSO_STORE "partitioned", "d1" or the KV namespace. */
const instance = (env) => (env.SSO_STORE === 'partitioned' ? partitionedInstance(env) : env.SSO_STORE === 'd1' ? d1Instance(env) : kvInstance(env));

/**
 * The small-scale strongly consistent variant: every request runs in one Durable Object (one
 * thread, one location: about 40 logins a second at the default Argon2 cost).
 */
export class SsoDurableObject extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env);
    this.sso = makeSso(env, new DurableObjectStore(ctx.storage));
    this.ready = ctx.blockConcurrencyWhile(() => bootstrap(this.sso, env));
  }

  async fetch(request) {
    await this.ready;
    return this.sso.fetch(request, { remoteAddr: remoteAddr(request), waitUntil: (p) => this.ctx.waitUntil(p) });
  }

  /** Called by the cron trigger over RPC: no URL reaches it, so no client can start it. */
  async cleanup() {
    await this.ready;
    return this.sso.cleanup();
  }
}

const durableObject = (env) => env.SSO_DO.get(env.SSO_DO.idFromName('sso'));

export default {
  async fetch(request, env, ctx) {
    if (env.SSO_STORE === 'durable-object') return durableObject(env).fetch(request);
    const sso = await instance(env);
    // waitUntil keeps work that outlives the response alive (a password reset's token).
    return sso.fetch(request, { remoteAddr: remoteAddr(request), waitUntil: (p) => ctx.waitUntil(p) });
  },

  async scheduled(_event, env, ctx) {
    if (env.SSO_STORE === 'durable-object') {
      ctx.waitUntil(durableObject(env).cleanup());
    } else {
      ctx.waitUntil(instance(env).then((sso) => sso.cleanup()));
    }
  },
};
