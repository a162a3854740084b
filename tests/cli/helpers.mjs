// Shared by tests/cli/*.test.mjs: the installed `edge-sso` command run as a user runs it, a fresh
// file store with its own secret key, the package opened in-process on the same store, and TOTP
// codes computed here (RFC 6238) from a base32 key.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sso } from 'edge-sso';
import { FileStore } from './node_modules/edge-sso/lib/cli/file-store.js';

const here = import.meta.dirname;
export const BIN = join(here, 'node_modules', '.bin', 'edge-sso');

/** Runs `edge-sso args...`; resolves { code, stdout, stderr, json (of stdout, when it is JSON) }. */
export function cli(args, { env = {}, input, cwd = here } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, { cwd, env: { ...process.env, SSO_SECRET_KEY: '', ZATO_SECRET_KEY: '', SSO_STORE: '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      let json;
      try {
        json = JSON.parse(stdout);
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
    if (input !== undefined) child.stdin.end(input);
    else child.stdin.end();
  });
}

const made = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder, removed when the test file's process ends. */
export function tempDir(prefix = 'edge-sso-cli-') {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A temporary folder with an edge-sso secret key file. */
export function workdir() {
  const dir = tempDir();
  const keyFile = join(dir, 'secret.key');
  const secretKey = randomBytes(32).toString('base64');
  writeFileSync(keyFile, `${secretKey}\n`, { mode: 0o600 });
  return { dir, keyFile, secretKey };
}

/** A fresh file store: the options every command takes, and an in-process Sso on the same file. */
export function fileStore() {
  const w = workdir();
  const path = join(w.dir, 'store.json');
  return {
    ...w,
    path,
    args: ['--store', `file:${path}`, '--secret-key-file', w.keyFile],
    /** The package in-process, reading the file as the commands left it (they have all ended). */
    sso: (config) => new Sso({ store: new FileStore(path), secretKey: w.secretKey, ...(config ? { config } : {}) }),
  };
}

function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error('not base32');
    bits += v.toString(2).padStart(5, '0');
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The RFC 6238 code (SHA-1, 6 digits, 30 s) of `key` at `at` ms. */
/**
 * The current code of `key`, computed at least 8 s before its 30-second step ends (waiting for
 * the next step if need be): a login a moment later must still find it current.
 */
export async function freshTotpCode(key) {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < 8_000) await new Promise((r) => setTimeout(r, left + 100));
  return totpCode(key);
}

export function totpCode(key, at = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30_000)));
  const mac = createHmac('sha1', base32Decode(key)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, '0');
}

export const CID = 'test';
export const IP = '10.0.0.1';
