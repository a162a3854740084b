// Zato's timestamps: naive UTC, `YYYY-MM-DDTHH:MM:SS` plus `.ffffff` when non-zero.
const ZATO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?$/;

import { manifest } from './manifest.js';

let timeFields;

/** Whether field `k` holds a Zato timestamp: the core's list (src/time.rs `TIME_FIELDS`). */
export function isTimeField(k) {
  timeFields ??= new Set(manifest().time_fields);
  return timeFields.has(k);
}

export function isZatoTime(v) {
  return typeof v === 'string' && ZATO_TIME.test(v);
}

export function parseZatoTime(v) {
  return new Date(`${v}Z`);
}

/** Copies `obj`, turning the timestamp fields into Date objects. */
export function withDates(obj) {
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    // defineProperty: a key such as `__proto__` stays a key.
    Object.defineProperty(out, k, { value: isTimeField(k) && isZatoTime(v) ? parseZatoTime(v) : v, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** A Date in Zato's format (microseconds from the millisecond part). */
export function formatZatoTime(d) {
  const iso = d.toISOString(); // 2024-01-01T00:00:00.123Z
  const base = iso.slice(0, 19);
  const ms = d.getUTCMilliseconds();
  return ms === 0 ? base : `${base}.${String(ms * 1000).padStart(6, '0')}`;
}
