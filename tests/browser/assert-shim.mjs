// The part of node:assert/strict that tests/conformance/suite.mjs uses, for running that suite
// in a page (an import map points `node:assert/strict` here). Strict semantics: Object.is for
// primitives, same prototype and same own keys for objects and arrays.

export class AssertionError extends Error {
  name = 'AssertionError';
}

function show(v) {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function same(a, b) {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && same(a[k], b[k]));
}

const assert = {
  equal(actual, expected, message) {
    if (!Object.is(actual, expected)) throw new AssertionError(message ?? `${show(actual)} !== ${show(expected)}`);
  },
  deepEqual(actual, expected, message) {
    if (!same(actual, expected)) throw new AssertionError(message ?? `${show(actual)} is not deeply equal to ${show(expected)}`);
  },
  ok(value, message) {
    if (!value) throw new AssertionError(message ?? `${show(value)} is not truthy`);
  },
};

export default assert;
