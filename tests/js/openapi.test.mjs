// The OpenAPI 3.1 document: shipped as `edge-sso/openapi.json`, valid against the OpenAPI 3.1
// schema (an independent validator from npm), the same as `sso.openapi()`, and served at
// GET /zato/sso/openapi.json only with `http.openapi`. The REST suite (tests/rest/suite.mjs)
// checks every answer it receives against it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Validator } from '@seriousme/openapi-schema-validator';
import { fixture } from './helpers.mjs';

const require = createRequire(import.meta.url);
const shipped = JSON.parse(readFileSync(require.resolve('edge-sso/openapi.json'), 'utf8'));

test('the shipped document is a valid OpenAPI 3.1 document', async () => {
  const validator = new Validator();
  const result = await validator.validate(shipped);
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
});

test('a broken document is refused by the validator (the check can fail)', async () => {
  const broken = structuredClone(shipped);
  broken.paths['/zato/sso/user/login'].post.responses = 'none';
  const result = await new Validator().validate(broken);
  assert.equal(result.valid, false);
});

test('sso.openapi() is the shipped document under the default config', () => {
  const { sso } = fixture();
  assert.deepEqual(sso.openapi(), shipped);
});

test('every endpoint of the REST API is in the document with its methods', () => {
  const paths = Object.keys(shipped.paths);
  for (const p of ['user/login', 'user', 'user/password', 'user/totp', 'user/search', 'user/signup', 'user/session/list', 'password/reset', 'policy']) {
    assert.ok(paths.includes(`/zato/sso/${p}`), p);
  }
  assert.deepEqual(Object.keys(shipped.paths['/zato/sso/user']).sort(), ['delete', 'get', 'patch', 'post']);
  assert.deepEqual(Object.keys(shipped.paths['/zato/sso/user/lock']).sort(), ['delete', 'post']);
});

test('GET /zato/sso/openapi.json is 404 unless http.openapi, then the instance\'s document', async () => {
  const off = fixture();
  const res = await off.sso.fetch(new Request('https://sso.example.com/zato/sso/openapi.json'));
  assert.equal(res.status, 404);
  const on = fixture({ config: { http: { openapi: true, cookie_sessions: true, cookie_name: '__Host-app-session' } } });
  const served = await on.sso.fetch(new Request('https://sso.example.com/zato/sso/openapi.json'));
  assert.equal(served.status, 200);
  const doc = await served.json();
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.components.securitySchemes.cookieUst.name, '__Host-app-session');
  assert.deepEqual(doc, on.sso.openapi());
});
