// Store protocol v2: the argument checks shared by every adapter's `getMany` and `commit`
// (MemoryStore and the adapters of adapters.js). Bad arguments are TypeErrors; a check that
// does not hold is never an error (commit resolves false).

const isObject = (v) => v !== null && typeof v === 'object';

/** `getMany(keys)`: an array of strings. Returns it as it is. */
export function checkKeys(keys) {
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new TypeError('getMany takes an array of string keys');
  }
  return keys;
}

/**
 * `commit({ checks, puts, deletes })`: each list may be omitted. A check is `{ key, value }` with
 * `value` a string or null (absent); a put is `{ key, value, expirationTtl? }`; a delete is a
 * key. A key may be written (put or deleted) once. Returns the three lists, always arrays.
 */
export function checkCommit(op) {
  if (!isObject(op)) throw new TypeError('commit takes { checks?, puts?, deletes? }');
  const list = (name) => {
    const v = op[name];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new TypeError(`commit: ${name} must be an array`);
    return v;
  };
  const checks = list('checks');
  const puts = list('puts');
  const deletes = list('deletes');
  for (const c of checks) {
    if (!isObject(c) || typeof c.key !== 'string' || (c.value !== null && typeof c.value !== 'string')) {
      throw new TypeError('commit: a check is { key: string, value: string | null }');
    }
  }
  const written = new Set();
  const once = (key) => {
    if (written.has(key)) throw new TypeError(`commit: key ${JSON.stringify(key)} is written twice`);
    written.add(key);
  };
  for (const p of puts) {
    if (!isObject(p) || typeof p.key !== 'string' || typeof p.value !== 'string') {
      throw new TypeError('commit: a put is { key: string, value: string, expirationTtl?: number }');
    }
    once(p.key);
  }
  for (const k of deletes) {
    if (typeof k !== 'string') throw new TypeError('commit: deletes are string keys');
    once(k);
  }
  return { checks, puts, deletes };
}

/** Whether every check holds, `current(key)` giving the key's live value or null. */
export function checksHold(checks, current) {
  return checks.every((c) => (current(c.key) ?? null) === c.value);
}
