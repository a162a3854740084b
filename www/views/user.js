// #/users/<id>: one user with readable labels, only the actions that apply (never lockout of
// oneself), edit and set-password forms, attributes and the user's audit trail.
import { state, isSelf } from '../state.js';
import { T, FIELD_LABELS, APPROVAL, SIGN_UP, ACTIONS, COLUMNS as C, isReadOp } from '../strings.js';
import { plain, bdi, timeEl, looksLikeEmail } from '../text.js';
import { $, $$, el, showError, toast, busy, onSubmit, confirmDialog, formData } from '../ui.js';
import { ConsoleError } from '../backends.js';
import { badgeEls, usersChanged } from './users.js';
import { auditTable } from './audit.js';
import { showTotp } from './account.js';

const TIMES = new Set(['approval_status_mod_time', 'approv_rej_time', 'locked_time', 'sign_up_time', 'password_last_set', 'password_expiry', 'last_login_time']);
const USER_REFS = new Set(['approval_status_mod_by', 'approv_rej_by', 'locked_by']);
const BOOLS = new Set(['is_super_user', 'is_locked', 'password_must_change', 'is_totp_enabled', 'is_active', 'is_internal', 'is_approval_needed', 'password_is_set']);

/** A user id as its username (read once, then remembered); the id itself if unknown. */
async function nameOf(id) {
  if (!id) return null;
  if (state.names.has(id)) return state.names.get(id);
  try {
    const u = await state.backend.get(state.ust, id);
    state.names.set(id, u.username);
    return u.username;
  } catch {
    return null;
  }
}

/** The user's fields as a definition list: labels, local times, names for ids. */
export async function renderFields(dl, user) {
  const items = [];
  for (const [field, label] of Object.entries(FIELD_LABELS)) {
    if (!(field in user)) continue;
    const v = user[field];
    let dd;
    if (TIMES.has(field)) dd = el('dd', {}, timeEl(v));
    else if (USER_REFS.has(field)) {
      const name = await nameOf(v);
      dd = el('dd', {}, v ? (name ? bdi(name) : bdi(v)) : '—');
      if (v) dd.title = `${FIELD_LABELS.user_id}: ${plain(v)}`;
    } else if (BOOLS.has(field)) dd = el('dd', {}, v ? T.yes : T.no);
    else if (field === 'approval_status') dd = el('dd', {}, APPROVAL[v] ?? plain(v));
    else if (field === 'sign_up_status') dd = el('dd', {}, SIGN_UP[v] ?? plain(v));
    else dd = el('dd', {}, v === null || v === '' || v === 'null' ? '—' : bdi(typeof v === 'object' ? JSON.stringify(v) : v));
    dd.dataset.field = field;
    items.push(el('dt', {}, label), dd);
  }
  dl.replaceChildren(...items);
}

/** Which actions apply to this user now (none that would lock the caller out). */
export function applicable(u) {
  const self = isSelf(u);
  return {
    approve: !self && u.approval_status !== 'approved',
    reject: !self && u.approval_status !== 'rejected',
    lock: !self && !u.is_locked,
    unlock: !self && Boolean(u.is_locked),
    'must-change': !self && !u.password_must_change,
    totp: !self,
    delete: !self,
  };
}

let shown = null;
let reading = 0;

export async function showUser(id) {
  // Until this user is read, no action is offered (nor aimed at the user shown before).
  shown = null;
  for (const b of $$('#view-user [data-action]')) b.hidden = true;
  $('#totp-box').hidden = true;
  for (const s of ['detail', 'edit', 'setpw', 'attrs', 'usessions']) showError(s, null);
  $('#detail-sessions tbody').replaceChildren();
  const mine = ++reading;
  let u;
  try {
    u = await state.backend.get(state.ust, id);
  } catch (e) {
    if (mine !== reading) return;
    shown = null;
    $('#detail-title').textContent = T.userTitle;
    $('#detail-fields').replaceChildren();
    showError('detail', e);
    return;
  }
  // Another user's page was opened meanwhile: that one is shown.
  if (mine !== reading) return;
  shown = u;
  state.names.set(u.user_id, u.username);
  const title = $('#detail-title');
  title.replaceChildren(bdi(u.username));
  title.title = plain(u.username);
  $('#detail-badges').replaceChildren(...badgeEls(u));
  const can = applicable(u);
  for (const b of $$('#view-user [data-action]')) b.hidden = !can[b.dataset.action];
  $('#detail-self-note').hidden = !isSelf(u);
  $('#detail-self-note').textContent = T.thisIsYou;
  $('#edit-username').value = u.username;
  $('#edit-display').value = u.display_name ?? '';
  $('#edit-email').value = u.email ?? '';
  await renderFields($('#detail-fields'), u);
  try {
    const attrs = await state.backend.attrs(state.ust, u.user_id);
    const items = Object.entries(attrs ?? {}).flatMap(([name, a]) => [el('dt', {}, bdi(name)), el('dd', {}, bdi(JSON.stringify(a.value)))]);
    $('#detail-attrs').replaceChildren(...(items.length ? items : [el('dt', {}, '—'), el('dd', {}, '')]));
  } catch (e) {
    $('#detail-attrs').replaceChildren();
    showError('attrs', e);
  }
  await showUserSessions(u);
  const trail = state.audit.filter((e) => !isReadOp(e.op) && ([u.user_id, u.username].includes(e.target_user) || e.current_user === u.user_id)).slice(0, 20);
  auditTable($('#detail-audit'), trail);
  $('#detail-audit-empty').hidden = trail.length > 0;
  $('#detail-audit-empty').textContent = state.caps.audit === 'none' ? T.auditUnavailable : T.auditEmpty;
}

/** The user's live sessions, each with a revoke button (the caller's own session excepted). */
async function showUserSessions(u) {
  let list;
  try {
    list = await state.backend.userSessions(state.ust, u.user_id);
  } catch (e) {
    showError('usessions', e);
    return;
  }
  if (shown?.user_id !== u.user_id) return;
  const rows = list.map((s) => {
    const addr = Array.isArray(s.remote_addr) ? s.remote_addr.join(', ') : s.remote_addr;
    const actions = el('td', { dataset: { label: '' } });
    const current = isSelf(u) && Boolean(state.sessionCreated) && new Date(`${s.creation_time}Z`).getTime() === new Date(state.sessionCreated).getTime();
    if (!current) {
      const revoke = el('button', { type: 'button', className: 'danger' }, T.revoke);
      revoke.addEventListener('click', () => busy(revoke, async () => {
        try {
          await state.backend.endSession(state.ust, u.user_id, s.session_id);
          toast(T.revoked(plain(u.username)));
        } catch (e) {
          // Ended meanwhile: nothing to report (and not the console's own session ending).
          if (!(e.codes ?? e.sub_status ?? []).includes('E007001')) showError('usessions', e);
        }
        if (shown?.user_id === u.user_id) await showUserSessions(u);
      }));
      actions.append(revoke);
    }
    return el('tr', { className: current ? 'current' : '' },
      el('td', { dataset: { label: C.session } }, current ? el('strong', { className: 'badge badge-current' }, T.thisSession) : el('span', { className: 'muted', title: s.session_id }, `${s.session_id.slice(0, 8)}…`)),
      el('td', { dataset: { label: C.started } }, timeEl(s.creation_time, { rel: true })),
      el('td', { dataset: { label: C.expires } }, timeEl(s.expiration_time, { rel: true })),
      el('td', { dataset: { label: C.address } }, bdi(addr || '—')),
      el('td', { dataset: { label: C.browser } }, el('span', { className: 'clip', title: plain(s.user_agent) }, bdi(s.user_agent || '—'))),
      actions);
  });
  $('#detail-sessions tbody').replaceChildren(...(rows.length ? rows : [el('tr', {}, el('td', { colSpan: 6 }, T.noUserSessions))]));
}

async function act(action) {
  const u = shown;
  if (!u || !applicable(u)[action]) return;
  const b = state.backend;
  showError('detail', null);
  try {
    if (action === 'delete') {
      if (!(await confirmDialog(`${ACTIONS.delete} ${plain(u.username)}?`, T.confirmDelete(plain(u.username)), ACTIONS.delete))) return;
      await b.remove(state.ust, u.user_id);
      usersChanged();
      toast(T.deleted(plain(u.username)));
      location.hash = '#/users';
      return;
    }
    if (action === 'totp') {
      const key = await b.resetTotp(state.ust, u.user_id);
      await showTotp({ box: '#totp-box', qr: '#totp-qr', key: '#totp-key', uri: '#totp-uri' }, key, u.username);
      toast(T.newTotpFor(plain(u.username)));
      return;
    }
    const run = {
      approve: () => b.approve(state.ust, u.user_id),
      reject: () => b.reject(state.ust, u.user_id),
      lock: () => b.lock(state.ust, u.user_id),
      unlock: () => b.unlock(state.ust, u.user_id),
      'must-change': () => b.update(state.ust, u.user_id, { password_must_change: true }),
    }[action];
    await run();
    usersChanged();
    toast(T.done(action, plain(u.username)));
    await showUser(u.user_id);
  } catch (e) {
    showError('detail', e);
  }
}

export function wireUser() {
  for (const b of $$('#view-user [data-action]')) b.addEventListener('click', () => busy(b, () => act(b.dataset.action)));

  onSubmit($('#edit-form'), async (form) => {
    const u = shown;
    if (!u) return undefined;
    const f = formData(form);
    const data = {};
    if (f.username !== u.username) data.username = f.username;
    if (f.display_name !== (u.display_name ?? '')) data.display_name = f.display_name;
    if (f.email !== (u.email ?? '')) data.email = f.email || null;
    if (!Object.keys(data).length) return showError('edit', new ConsoleError(['E008003']));
    if (data.email && !looksLikeEmail(data.email)) {
      showError('edit', null);
      $('#edit-email-error').textContent = T.emailFormat;
      return undefined;
    }
    try {
      await state.backend.update(state.ust, u.user_id, data);
      usersChanged();
      toast(T.saved(plain(f.username)));
      await showUser(u.user_id);
    } catch (e) {
      showError('edit', e);
    }
  });

  onSubmit($('#setpw-form'), async (form) => {
    if (!shown) return;
    try {
      await state.backend.setPassword(state.ust, shown.user_id, formData(form).password);
      showError('setpw', null);
      form.reset();
      toast(T.passwordSet(plain(shown.username)));
      await showUser(shown.user_id);
    } catch (e) {
      showError('setpw', e);
    }
  });
}

export function forgetUser() {
  shown = null;
  $('#totp-box').hidden = true;
  $('#totp-qr').replaceChildren();
  for (const f of ['#totp-key', '#totp-uri', '#setpw-password']) $(f).value = '';
  $('#detail-fields').replaceChildren();
  $('#detail-attrs').replaceChildren();
  $('#detail-sessions tbody').replaceChildren();
}
