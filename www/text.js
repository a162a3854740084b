// Showing values users typed, safely and readably: bidi and control characters made visible,
// times in the reader's zone with the exact instant on hover, CSV that spreadsheets read as text.
import { T } from './strings.js';

// Bidi embeddings/overrides/isolates and marks, C0/C1 controls, zero-width and line/paragraph
// separators: shown as [U+XXXX] so that "\u202Eevil" cannot display as "live".
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/gu;

/** A value as text a person can read: never reorders what follows it. */
export function plain(value) {
  if (value === null || value === undefined) return '';
  return String(value).replace(INVISIBLE, (c) => T.bidi(c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')));
}

/** A `<bdi>` (isolated from its neighbours) holding the neutralised text. */
export function bdi(value) {
  const el = document.createElement('bdi');
  el.textContent = plain(value);
  return el;
}

/**
 * A Date from a Date, epoch milliseconds or a string. Zato's REST times carry no zone and are
 * UTC ("2026-12-01T13:40:36.806000"): JavaScript would read them as local time.
 */
export function toDate(v) {
  if (v instanceof Date) return v;
  if (typeof v === 'number') return new Date(v);
  if (typeof v !== 'string' || !v) return null;
  return new Date(/^\d{4}-\d\d-\d\dT[\d:.]+$/.test(v) ? `${v}Z` : v);
}

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const exact = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** "3 minutes ago", "in 2 hours". */
export function ago(d, now = Date.now()) {
  const s = Math.round((d.getTime() - now) / 1000);
  const units = [['year', 31_536_000], ['month', 2_592_000], ['day', 86_400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) if (Math.abs(s) >= size) return relative.format(Math.trunc(s / size), unit);
  return relative.format(s, 'second');
}

/** A `<time>`: local date and time (or relative), the exact instant and UTC on hover. */
export function timeEl(value, { rel = false } = {}) {
  const d = toDate(value);
  const el = document.createElement('time');
  if (!d || Number.isNaN(d.getTime())) {
    el.textContent = '—';
    return el;
  }
  el.dateTime = d.toISOString();
  el.textContent = rel ? ago(d) : local.format(d);
  el.title = `${exact.format(d)} (${d.toISOString()})`;
  return el;
}

/** One CSV row; a cell that a spreadsheet would run as a formula starts with a quote. */
export function csvRow(cells) {
  return cells.map((c) => {
    let s = c === null || c === undefined ? '' : String(c);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }).join(',');
}

/** The email check of the create form: something@something.tld, no spaces. */
export const looksLikeEmail = (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s);

// RFC 6238 TOTP (SHA-1, 6 digits, 30 s) in the page: the console confirms that an
// authenticator has the key it shows before two-factor is turned on.
function base32(s) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of s.replace(/=+$/, '').toUpperCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) throw new Error('not base32');
    bits += v.toString(2).padStart(5, '0');
  }
  return Uint8Array.from(bits.match(/.{8}/g) ?? [], (b) => parseInt(b, 2));
}

async function totpAt(key, counter) {
  const k = await crypto.subtle.importKey('raw', base32(key), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
  const msg = new DataView(new ArrayBuffer(8));
  msg.setUint32(0, Math.floor(counter / 2 ** 32));
  msg.setUint32(4, counter >>> 0);
  const h = new Uint8Array(await crypto.subtle.sign('HMAC', k, msg.buffer));
  const o = h[19] & 15;
  const n = ((h[o] & 127) << 24) | (h[o + 1] << 16) | (h[o + 2] << 8) | h[o + 3];
  return String(n % 1_000_000).padStart(6, '0');
}

/** Whether `code` is the key's code now, or one step either side (clock drift). */
export async function totpMatches(key, code, now = Date.now()) {
  if (!/^\d{6}$/.test(code.trim())) return false;
  const step = Math.floor(now / 30_000);
  for (const c of [step - 1, step, step + 1]) if ((await totpAt(key, c)) === code.trim()) return true;
  return false;
}
