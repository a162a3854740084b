// Small DOM helpers shared by the views: errors next to their fields, busy buttons, the
// toast, the confirmation dialog.
import { asConsoleError } from './backends.js';
import { MESSAGES, IN_CONTEXT, T } from './strings.js';

export const $ = (sel) => document.querySelector(sel);
export const $$ = (sel) => [...document.querySelectorAll(sel)];

/** Builds an element: el('td', { className: 'x', title: 't' }, child, 'text'). */
export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('aria-') || k === 'role' || k === 'scope') e.setAttribute(k, v);
    else e[k] = v;
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

/** Which field a code belongs to, so the sentence appears next to it. */
function fieldOf(code) {
  if (code.startsWith('E001')) return 'username';
  if (code.startsWith('E002')) return 'email';
  if (code.startsWith('E003')) return 'password';
  if (code === 'E005008') return 'totp';
  return 'form';
}

/** The sentence for one error in one context (`prefix`: the form it happened in). */
export function describe(err, prefix = '') {
  const e = asConsoleError(err);
  if (e.kind === 'transport') return T.transport(e.detail);
  if (e.kind === 'http') return T.httpStatus(e.detail);
  const codes = e.codes.length ? e.codes : ['E005001'];
  return codes.map((code) => {
    // The library's words name the field and the limit; its code prefix is said once, after.
    if (code === 'E008002') return `${T.inputRefused(e.detail.replace(/^E\d{6} [\w.]+: /, '').replace(/\.$/, ''))} (${code})`;
    const text = IN_CONTEXT[`${prefix}:${code}`] ?? MESSAGES[code] ?? e.detail ?? code;
    return `${text} (${code})`;
  }).join(' ');
}

const slotFor = (prefix, field) => $(`#${prefix}-${field}-error`) ?? $(`#${prefix}-form-error`) ?? $(`#${prefix}-error`);

/** Clears a form's error slots and shows `err` in the right ones. */
export function showError(prefix, err) {
  for (const slot of $$(`[id^="${prefix}-"][id$="-error"]`)) slot.textContent = '';
  if (!err) return;
  const e = asConsoleError(err);
  // An ended session ends the console's too: the app goes back to the login form.
  if (e.codes.includes('E007001')) document.dispatchEvent(new CustomEvent('console:session-ended'));
  if (e.kind !== 'sso') {
    slotFor(prefix, 'form').textContent = describe(e, prefix);
    return;
  }
  for (const code of e.codes.length ? e.codes : ['E005001']) {
    slotFor(prefix, fieldOf(code)).textContent = describe(new e.constructor([code], e.detail, e.kind), prefix);
  }
}

/** The control of the last action: its toast appears next to it. */
let lastAction = null;

/**
 * A plain message for the toast region (a sentence, never a secret): just below the control
 * that started the action when it is still on screen (wide layouts), else bottom right.
 */
export function toast(text) {
  const t = $('#status');
  t.textContent = text;
  t.classList.toggle('shown', Boolean(text));
  const at = lastAction?.isConnected && lastAction.offsetParent !== null ? lastAction.getBoundingClientRect() : null;
  const near = Boolean(at && window.innerWidth > 640 && at.bottom > 0 && at.bottom < window.innerHeight - 80);
  t.classList.toggle('near', near);
  t.style.left = near ? `${Math.max(8, Math.min(at.left, window.innerWidth - t.offsetWidth - 16))}px` : '';
  t.style.top = near ? `${at.bottom + 8}px` : '';
  lastAction = null;
  clearTimeout(toast.timer);
  if (text) toast.timer = setTimeout(() => t.classList.remove('shown'), 6000);
}

/**
 * Runs `fn` with `button` disabled and marked busy: a second click (or Enter) while the first
 * request is in flight does nothing. Returns undefined when already busy.
 */
export async function busy(button, fn) {
  if (!button || button.dataset.busy) return undefined;
  button.dataset.busy = '1';
  lastAction = button;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    delete button.dataset.busy;
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

/** A form submit handler that runs once at a time, with its submit button busy. */
export function onSubmit(form, fn) {
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    busy(form.querySelector('button[type=submit]'), () => fn(ev.target)).catch((e) => toast(describe(e)));
  });
}

/** The confirmation dialog; resolves true when confirmed. */
export function confirmDialog(title, text, okLabel) {
  const dialog = $('#confirm');
  $('#confirm-title').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = okLabel;
  dialog.returnValue = '';
  dialog.showModal();
  return new Promise((r) => dialog.addEventListener('close', () => r(dialog.returnValue === 'ok'), { once: true }));
}

export const formData = (form) => Object.fromEntries(new FormData(form).entries());
