// The core's operation table (src/api/mod.rs, exported as `manifest()`) against what the
// package exposes and what index.d.ts declares: every operation is a method of the right
// object with the table's number of parameters, every declared method is an operation, and the
// SsoErrorCode union is the core's list of codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Sso, MemoryStore, manifest } from 'edge-sso';

const require = createRequire(import.meta.url);
const dts = readFileSync(resolve(dirname(require.resolve('edge-sso/package.json')), 'index.d.ts'), 'utf8');

/** Where each namespace of the table is declared. */
const INTERFACES = {
  '': /export declare class Sso \{/,
  user: /export interface UserApi \{/,
  'user.session': /export interface SessionApi \{/,
  'user.attr': /export interface UserAttrApi \{/,
  'user.session.attr': /export interface SessionAttrApi \{/,
  totp: /export interface TotpApi \{/,
  passwordReset: /export interface PasswordResetApi \{/,
  admin: /export interface AdminApi \{/,
};
/** Methods of the package that are not operations of the core. */
const JS_ONLY = new Set(['fetch', 'authenticate', 'openapi', 'constructor']);

function body(re) {
  const start = dts.search(re);
  assert.ok(start >= 0, `${re} is not in index.d.ts`);
  const open = dts.indexOf('{', start);
  let depth = 0;
  for (let i = open; i < dts.length; i++) {
    if (dts[i] === '{') depth++;
    if (dts[i] === '}' && --depth === 0) return dts.slice(open + 1, i);
  }
  throw new Error(`unclosed ${re}`);
}

/** `name(params...)` declarations at the top level of an interface body: name → parameter counts. */
function methods(text) {
  const out = new Map();
  const src = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/=>/g, '->');
  const re = /^\s{2}(\w+)\(/gm;
  let m;
  while ((m = re.exec(src))) {
    let depth = 0, params = 0, seen = false;
    for (let i = m.index + m[0].length - 1; i < src.length; i++) {
      const c = src[i];
      if ('({[<'.includes(c)) depth++;
      else if (')}]>'.includes(c)) {
        if (--depth === 0) break;
      } else if (depth === 1 && c === ',') params++;
      else if (depth === 1 && /\S/.test(c)) seen = true;
    }
    const counts = out.get(m[1]) ?? new Set();
    counts.add(seen ? params + 1 : 0);
    out.set(m[1], counts);
  }
  return out;
}

test('every operation of the core is declared in index.d.ts with its parameters, and nothing else is', () => {
  const ops = manifest().operations.filter((o) => o.shape !== 'internal');
  for (const [ns, re] of Object.entries(INTERFACES)) {
    const declared = methods(body(re));
    const mine = ops.filter((o) => o.name.slice(0, Math.max(0, o.name.lastIndexOf('.'))) === ns);
    for (const op of mine) {
      const name = op.name.slice(op.name.lastIndexOf('.') + 1);
      assert.ok(declared.has(name), `${op.name} is not declared in ${re}`);
      assert.ok(declared.get(name).has(op.args.length), `${op.name}: index.d.ts declares ${[...declared.get(name)]} parameters, the core takes ${op.args.length} (${op.args})`);
    }
    for (const name of declared.keys()) {
      if (JS_ONLY.has(name)) continue;
      assert.ok(mine.some((o) => o.name.endsWith(`.${name}`) || o.name === name), `${ns || 'Sso'}.${name} is declared but the core has no such operation`);
    }
  }
});

test('the Sso object has exactly the table\'s methods, frozen', () => {
  const sso = new Sso({ store: new MemoryStore(), secretKey: Buffer.alloc(32, 1).toString('base64') });
  for (const op of manifest().operations) {
    const path = op.name.split('.');
    const fn = path.reduce((o, k) => o?.[k], sso);
    if (op.shape === 'internal') assert.equal(fn, undefined, op.name);
    else assert.equal(typeof fn, 'function', op.name);
  }
  assert.ok(Object.isFrozen(sso) && Object.isFrozen(sso.user) && Object.isFrozen(sso.user.session.attr) && Object.isFrozen(sso.admin));
});

test('SsoErrorCode in index.d.ts is the core\'s list of codes', () => {
  const union = /export type SsoErrorCode =([^;]+);/.exec(dts)[1].match(/'[EW]\d{6}'/g).map((s) => s.slice(1, -1));
  assert.deepEqual(union, manifest().codes.map((c) => c.code));
});

test('the limits the package checks come from the core', () => {
  const { limits } = manifest();
  assert.equal(limits.max_depth, 128);
  assert.equal(limits.max_body_bytes, 1024 * 1024);
  assert.ok(limits.max_nodes >= 1000);
});
