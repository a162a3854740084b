import { TIME_FIELDS, isZatoTime, parseZatoTime, formatZatoTime } from './time.js';

const originals = new WeakMap();

/**
 * A user as `getCurrentUser` / `getUserById` return it: the fields the caller may see as
 * properties (timestamps as Date objects). Never holds a password or a password hash.
 */
export class User {
  constructor(dict) {
    const raw = {};
    for (const [k, v] of Object.entries(dict)) {
      if (TIME_FIELDS.has(k) && isZatoTime(v)) {
        raw[k] = v;
        this[k] = parseZatoTime(v);
      } else {
        this[k] = v;
      }
    }
    originals.set(this, raw);
  }

  /** A plain object copy; timestamps stay Date objects (like Zato's `to_dict()`). */
  toDict() {
    return { ...this };
  }

  /** Zato's wire format: timestamps as naive-UTC ISO strings. */
  toJSON() {
    const raw = originals.get(this) ?? {};
    const out = {};
    for (const [k, v] of Object.entries(this)) {
      if (v instanceof Date) {
        // The string we were given round-trips microseconds; a Date changed since is re-formatted.
        out[k] = raw[k] !== undefined && parseZatoTime(raw[k]).getTime() === v.getTime() ? raw[k] : formatZatoTime(v);
      } else {
        out[k] = v;
      }
    }
    return out;
  }
}
