import { isTimeField, isZatoTime, parseZatoTime, formatZatoTime } from './time.js';

const originals = new WeakMap();

function define(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * A user as `getCurrentUser` / `getUserById` return it: the fields the caller may see as
 * properties (timestamps as Date objects). Never holds a password or a password hash.
 */
export class User {
  constructor(dict) {
    const raw = {};
    for (const [k, v] of Object.entries(dict)) {
      // defineProperty: any key (even `__proto__`) is an own property, never a prototype.
      if (isTimeField(k) && isZatoTime(v)) {
        raw[k] = v;
        define(this, k, parseZatoTime(v));
      } else {
        define(this, k, v);
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
        define(out, k, Object.hasOwn(raw, k) && parseZatoTime(raw[k]).getTime() === v.getTime() ? raw[k] : formatZatoTime(v));
      } else {
        define(out, k, v);
      }
    }
    return out;
  }
}
