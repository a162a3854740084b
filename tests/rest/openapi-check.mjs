// Every answer the REST suite receives, checked against the OpenAPI document the package ships
// (pkg/openapi.json, generated from the core's route table): its status must be one the
// document lists for that path and method, and its body must match that status's schema.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';

const doc = JSON.parse(readFileSync(new URL('../../pkg/openapi.json', import.meta.url), 'utf8'));
// `strict: false`: each compiled schema carries the document's `components` beside it, so that
// its `#/components/...` references resolve; that keyword is not JSON Schema's.
const ajv = new Ajv2020({ strict: false, allErrors: true });
const compiled = new Map();

function validator(key, schema) {
  if (!compiled.has(key)) compiled.set(key, ajv.compile({ ...schema, components: doc.components }));
  return compiled.get(key);
}

/** How many answers were checked, by operation (the suite reports it). */
export const checked = new Map();

/**
 * Asserts that `body`, answered with `status` to `method path` (path under /zato/sso, query
 * string allowed), is what the document says.
 */
export function checkAnswer(method, path, status, body) {
  const route = `/zato/sso${path.split('?')[0].replace(/\/+$/, '')}`;
  const op = doc.paths[route]?.[method.toLowerCase()];
  let key;
  let schema;
  if (!op) {
    // Not in the document: the API must say so (404, or 405 for a path it knows).
    assert.ok(status === 404 || status === 405, `${method} ${route} is not in the OpenAPI document but answered ${status}`);
    key = 'Error';
    schema = { $ref: '#/components/schemas/Error' };
  } else {
    let response = op.responses[String(status)];
    assert.ok(response, `${method} ${route} answered ${status}, which the OpenAPI document does not list`);
    if (response.$ref) response = doc.components.responses[response.$ref.split('/').pop()];
    key = `${op.operationId} ${status}`;
    schema = response.content['application/json'].schema;
  }
  const validate = validator(key, schema);
  if (!validate(body)) {
    assert.fail(`${method} ${route} ${status}: the answer does not match the OpenAPI document: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 400)}`);
  }
  checked.set(key, (checked.get(key) ?? 0) + 1);
}
