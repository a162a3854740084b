// #/sessions and #/me: the caller's sessions (this one marked) and account, with two-factor
// enrolment that needs a code from the key shown before it turns on.
import qrcode from '/vendor/qrcode.mjs';
import { state } from '../state.js';
import { T, COLUMNS as C } from '../strings.js';
import { plain, bdi, timeEl, totpMatches, toDate } from '../text.js';
import { $, el, showError, toast, busy, onSubmit, formData } from '../ui.js';
import { renderFields } from './user.js';

/** Shows a TOTP key as a QR code, the key and (optionally) its URI. */
export async function showTotp(sel, key, account) {
  const uri = await state.backend.totpUri(key, account);
  const qr = qrcode(0, 'M');
  qr.addData(uri);
  qr.make();
  $(sel.qr).innerHTML = qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
  $(sel.key).value = key;
  if (sel.uri) $(sel.uri).value = uri;
  $(sel.box).hidden = false;
}

export async function showSessions() {
  try {
    const list = await state.backend.sessions(state.ust);
    const rows = list.map((s) => {
      const history = s.session_state_change_list ?? [];
      const last = history.at(-1)?.timestamp_utc ?? s.creation_time;
      const current = Boolean(state.sessionCreated) && toDate(s.creation_time)?.getTime() === new Date(state.sessionCreated).getTime();
      const addr = Array.isArray(s.remote_addr) ? s.remote_addr.join(', ') : s.remote_addr;
      const ua = el('span', { className: 'clip', title: plain(s.user_agent) }, bdi(s.user_agent || '—'));
      const actions = el('td', { dataset: { label: '' } });
      if (current) {
        const out = el('button', { type: 'button' }, T.logOut);
        out.addEventListener('click', () => $('#logout').click());
        actions.append(out);
      }
      return el('tr', { className: current ? 'current' : '' },
        el('td', { dataset: { label: C.session } }, current ? el('strong', { className: 'badge badge-current' }, T.thisSession) : el('span', { className: 'muted', title: s.session_id }, `${s.session_id.slice(0, 8)}…`)),
        el('td', { dataset: { label: C.started } }, timeEl(s.creation_time, { rel: true })),
        el('td', { dataset: { label: C.lastActivity } }, timeEl(last, { rel: true })),
        el('td', { dataset: { label: C.expires } }, timeEl(s.expiration_time, { rel: true })),
        el('td', { dataset: { label: C.address } }, bdi(addr || '—')),
        el('td', { dataset: { label: C.browser } }, ua),
        actions);
    });
    $('#sessions-table tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colSpan: 7 }, T.noSessions))]));
    showError('sessions', null);
  } catch (e) {
    showError('sessions', e);
  }
}

let pendingKey = null;

export async function showMe() {
  try {
    state.me = await state.backend.me(state.ust);
    await renderFields($('#me-fields'), state.me);
    const on = Boolean(state.me.is_totp_enabled);
    $('#me-totp-state').textContent = on ? T.totpOn.split(':')[0] + '.' : T.totpOff;
    $('#me-totp-setup').hidden = on;
    $('#me-totp-off').hidden = !on;
    if (on) $('#me-totp-box').hidden = true;
    if (!on) $('#me-totp-off-box').hidden = true;
    showError('me', null);
  } catch (e) {
    showError('me', e);
  }
}

export function wireAccount() {
  $('#renew').addEventListener('click', (ev) => busy(ev.currentTarget, async () => {
    try {
      const t = await state.backend.renew(state.ust);
      toast(T.sessionRenewed(new Date(t).toLocaleString()));
      await showSessions();
    } catch (e) {
      showError('sessions', e);
    }
  }));
  $('#refresh-sessions').addEventListener('click', (ev) => busy(ev.currentTarget, showSessions));

  // Enrolment: a new key, shown; two-factor turns on only with a code computed from it.
  $('#me-totp-setup').addEventListener('click', (ev) => busy(ev.currentTarget, async () => {
    try {
      pendingKey = await state.backend.resetTotp(state.ust);
      await showTotp({ box: '#me-totp-box', qr: '#me-totp-qr', key: '#me-totp-key' }, pendingKey, state.me.username);
      $('#me-totp-help').textContent = T.totpScanThenConfirm;
      $('#me-totp-code').value = '';
      $('#me-totp-code').focus();
      showError('me', null);
    } catch (e) {
      showError('me', e);
    }
  }));
  onSubmit($('#me-totp-box'), async (form) => {
    const { code } = formData(form);
    if (!pendingKey || !(await totpMatches(pendingKey, code))) {
      $('#me-totp-code-error').textContent = T.totpWrongCode;
      return;
    }
    try {
      await state.backend.updateSelf(state.ust, { is_totp_enabled: true });
      pendingKey = null;
      forgetTotp();
      toast(T.totpOn);
      await showMe();
    } catch (e) {
      showError('me', e);
    }
  });

  // Turning off: a code from the current key (read back in-page), or, where the server does
  // not hand the key back, the password and a code checked by a login.
  $('#me-totp-off').addEventListener('click', () => {
    const keyKnown = Boolean(state.me?.totp_key);
    $('#me-totp-off-password-box').hidden = keyKnown;
    $('#me-totp-off-help').textContent = keyKnown ? T.totpOffNeeds : T.totpOffNeedsPassword;
    $('#me-totp-off-box').hidden = false;
    $('#me-totp-off-code').focus();
  });
  onSubmit($('#me-totp-off-box'), async (form) => {
    const { code, password } = formData(form);
    $('#me-totp-off-error').textContent = '';
    try {
      if (state.me.totp_key) {
        if (!(await totpMatches(state.me.totp_key, code))) {
          $('#me-totp-off-error').textContent = T.totpWrongCode;
          return;
        }
      } else {
        const check = await state.backend.login(state.me.username, password ?? '', code.trim());
        await state.backend.logout(check.ust).catch(() => {});
      }
      await state.backend.updateSelf(state.ust, { is_totp_enabled: false });
      form.reset();
      form.hidden = true;
      toast(T.totpOff);
      await showMe();
    } catch (e) {
      showError('me-totp-off', e);
      if (e.codes?.includes('E005001')) $('#me-totp-off-error').textContent = T.totpWrongCode;
    }
  });
}

export function forgetTotp() {
  for (const box of ['#me-totp-box', '#me-totp-off-box']) $(box).hidden = true;
  $('#me-totp-qr').replaceChildren();
  for (const f of ['#me-totp-key', '#me-totp-code', '#me-totp-off-code', '#me-totp-off-password']) $(f).value = '';
}

export function forgetAccount() {
  pendingKey = null;
  forgetTotp();
  $('#me-fields').replaceChildren();
  $('#sessions-table tbody').replaceChildren();
}
