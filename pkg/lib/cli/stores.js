// `--store`: which store the command works on. Each opener resolves { store, kind, close }.
//   file:PATH            the JSON file store (FileStore), locked for this process
//   postgres:URL         PostgresStore on a pg Pool (URL as pg takes it; empty: the PG* variables)
//   denokv:PATH|URL      Deno KV through npm @deno/kv (a database file, or a KV Connect URL with
//                        DENO_KV_ACCESS_TOKEN set)
//   wrangler:BINDING     a KV namespace, D1 database or Durable Object namespace binding of the
//                        wrangler config in the current folder, through wrangler's getPlatformProxy:
//                        local persisted state (.wrangler/state, or --persist-to), or the deployed
//                        resource with --remote
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';
import { importOptional } from './optional.js';
import { FileStore } from './file-store.js';

const failure = (kind, e) => new CliError(EXIT.STORE_FAILURE, `could not open the ${kind} store: ${e instanceof Error ? e.message : String(e)}`);

async function openFile(path) {
  if (!path) throw new CliError(EXIT.USAGE, '--store file:PATH needs a path');
  try {
    const store = new FileStore(resolve(path)).lock();
    return { store, kind: 'file', close: async () => store.close() };
  } catch (e) {
    throw failure('file', e);
  }
}

async function openPostgres(url) {
  const pg = (await importOptional('pg', '--store postgres:')).default;
  const { PostgresStore } = await import('../postgres.js');
  const pool = new pg.Pool({ ...(url ? { connectionString: url } : {}), max: 4 });
  // An idle client's error (the server went away) must not end the process with an unhandled event.
  pool.on('error', () => {});
  try {
    const store = await PostgresStore.open(pool);
    return { store, kind: 'postgres', close: () => pool.end() };
  } catch (e) {
    await pool.end().catch(() => {});
    throw failure('postgres', e);
  }
}

async function openDenoKv(pathOrUrl) {
  if (!pathOrUrl) throw new CliError(EXIT.USAGE, '--store denokv:PATH|URL needs a database file or a KV Connect URL');
  const { openKv } = await importOptional('@deno/kv', '--store denokv:');
  const { DenoKvStore } = await import('../adapters.js');
  try {
    const kv = await openKv(/^https?:\/\//.test(pathOrUrl) ? pathOrUrl : resolve(pathOrUrl));
    return { store: new DenoKvStore(kv), kind: 'denokv', close: async () => kv.close() };
  } catch (e) {
    throw failure('denokv', e);
  }
}

const WRANGLER_CONFIGS = ['wrangler.toml', 'wrangler.json', 'wrangler.jsonc'];

function findWranglerConfig(given) {
  if (given) {
    if (!existsSync(given)) throw new CliError(EXIT.USAGE, `--wrangler-config ${given}: no such file`);
    return resolve(given);
  }
  const found = WRANGLER_CONFIGS.map((f) => resolve(f)).find((f) => existsSync(f));
  if (!found) throw new CliError(EXIT.USAGE, `--store wrangler: reads ${WRANGLER_CONFIGS.join(' / ')} in the current folder; there is none (or give --wrangler-config FILE)`);
  return found;
}

/** The config's bindings by name: KV, D1 and Durable Object namespaces. */
function bindingsOf(raw, environment) {
  const env = environment ? raw.env?.[environment] ?? {} : raw;
  const out = new Map();
  for (const b of env.kv_namespaces ?? []) out.set(b.binding, b);
  for (const b of env.d1_databases ?? []) out.set(b.binding, b);
  for (const b of env.durable_objects?.bindings ?? []) out.set(b.name, b);
  return out;
}

/**
 * The binding's entry in the config, checked before any workerd starts: a Durable Object class
 * of this same Worker cannot run outside it (getPlatformProxy reaches only objects of another
 * Worker, `script_name`, running under `wrangler dev`), and --remote covers KV and D1.
 */
function bindingEntry(wrangler, configPath, binding, { environment, remote }) {
  if (typeof wrangler.experimental_readRawConfig !== 'function' || typeof wrangler.getPlatformProxy !== 'function') {
    throw new CliError(EXIT.MISSING_PACKAGE, '--store wrangler: needs a newer `wrangler` (4.x with getPlatformProxy and remote bindings): npm install wrangler@4');
  }
  const { rawConfig } = wrangler.experimental_readRawConfig({ config: configPath });
  const bindings = bindingsOf(rawConfig, environment);
  const entry = bindings.get(binding);
  if (!entry) {
    throw new CliError(EXIT.USAGE, `${basename(configPath)} has no KV, D1 or Durable Object binding named ${binding} (it has: ${[...bindings.keys()].join(', ') || 'none'})`);
  }
  if (entry.class_name && remote) throw new CliError(EXIT.USAGE, `--remote works with KV and D1 bindings; ${binding} is a Durable Object namespace`);
  if (entry.class_name && !entry.script_name) {
    throw new CliError(EXIT.USAGE, `${binding} is a Durable Object class of this Worker, which runs only inside it: use a KV or D1 binding, or run the Worker with \`wrangler dev\` and name it in the binding's script_name`);
  }
  return { rawConfig, entry };
}

/**
 * --remote: a copy of the config (next to it, so relative paths still hold; removed once read)
 * with `remote = true` on the chosen binding, which getPlatformProxy then proxies to the
 * deployed resource (wrangler asks for a login as `wrangler dev --remote` does).
 */
function remoteConfig(configPath, rawConfig, entry) {
  entry.remote = true;
  const copy = join(dirname(configPath), `.edge-sso-remote-${process.pid}.wrangler.json`);
  writeFileSync(copy, JSON.stringify(rawConfig), { mode: 0o600 });
  return copy;
}

const isKv = (b) => typeof b?.get === 'function' && typeof b?.put === 'function' && typeof b?.list === 'function' && typeof b?.getWithMetadata === 'function';
const isD1 = (b) => typeof b?.prepare === 'function' && typeof b?.batch === 'function';
const isDoNamespace = (b) => typeof b?.idFromName === 'function' && typeof b?.get === 'function';

async function openWrangler(binding, options) {
  if (!binding) throw new CliError(EXIT.USAGE, '--store wrangler:BINDING needs a binding name');
  // wrangler's own notices (config warnings) only when they are errors, unless asked for.
  process.env.WRANGLER_LOG ??= 'error';
  const wrangler = await importOptional('wrangler', '--store wrangler:');
  const configPath = findWranglerConfig(options.wranglerConfig);
  const environment = options.env || undefined;
  const { rawConfig, entry } = bindingEntry(wrangler, configPath, binding, { environment, remote: options.remote });
  const copy = options.remote ? remoteConfig(configPath, rawConfig, entry) : null;
  let proxy;
  try {
    proxy = await wrangler.getPlatformProxy({
      configPath: copy ?? configPath,
      environment,
      persist: options.persistTo ? { path: resolve(options.persistTo) } : true,
      remoteBindings: Boolean(options.remote),
    });
  } catch (e) {
    throw failure('wrangler', e);
  } finally {
    if (copy) rmSync(copy, { force: true });
  }
  const close = () => proxy.dispose();
  const b = proxy.env[binding];
  try {
    if (isKv(b)) return { store: b, kind: 'wrangler KV', close };
    if (isD1(b)) {
      const { D1Store } = await import('../d1.js');
      return { store: await D1Store.open(b), kind: 'wrangler D1', close };
    }
    if (isDoNamespace(b)) {
      // The example worker's "partitioned" mode: storage spread over SSO_SHARD_COUNT objects.
      const { PartitionedDurableObjectStore } = await import('../partitioned.js');
      const shards = Number(proxy.env.SSO_SHARD_COUNT ?? 16);
      return { store: new PartitionedDurableObjectStore(b, { shards }), kind: 'wrangler Durable Object', close };
    }
  } catch (e) {
    await close().catch(() => {});
    throw failure('wrangler', e);
  }
  // Named before dispose(): the proxy's stubs are unusable after it.
  const names = Object.keys(proxy.env).filter((k) => isKv(proxy.env[k]) || isD1(proxy.env[k]) || isDoNamespace(proxy.env[k]));
  await close().catch(() => {});
  throw new CliError(EXIT.USAGE, `${basename(configPath)} has no KV, D1 or Durable Object binding named ${binding} (it has: ${names.join(', ') || 'none'})`);
}

/** Opens the store `spec` names; `options`: remote, persistTo, wranglerConfig, env. */
export async function openStore(spec, options = {}) {
  if (typeof spec !== 'string' || spec === '') {
    throw new CliError(EXIT.USAGE, 'no store: give --store file:PATH, postgres:URL, denokv:PATH|URL or wrangler:BINDING (or set SSO_STORE)');
  }
  if (/^postgres(ql)?:\/\//.test(spec)) return openPostgres(spec);
  const at = spec.indexOf(':');
  const scheme = at < 0 ? spec : spec.slice(0, at);
  const rest = at < 0 ? '' : spec.slice(at + 1);
  switch (scheme) {
    case 'file': return openFile(rest);
    case 'postgres': return openPostgres(rest);
    case 'denokv': return openDenoKv(rest);
    case 'wrangler': return openWrangler(rest, options);
    default:
      throw new CliError(EXIT.USAGE, `unknown store ${JSON.stringify(scheme)}: give file:PATH, postgres:URL, denokv:PATH|URL or wrangler:BINDING`);
  }
}
