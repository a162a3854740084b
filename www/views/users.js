// #/users: one search box (username, display name, email where allowed), status filters,
// sortable columns, page size, selection with bulk actions, CSV export, and "Create a user".
import { state, isSelf } from '../state.js';
import { T, BADGES, ACTIONS, COLUMNS as C } from '../strings.js';
import { plain, bdi, timeEl, csvRow, looksLikeEmail, toDate } from '../text.js';
import { $, $$, el, showError, toast, busy, onSubmit, confirmDialog, formData } from '../ui.js';
import { ConsoleError } from '../backends.js';

/** At most this many matches are read for one search (sorting and filters are in the page). */
const READ_LIMIT = 2000;

const list = { key: null, rows: [], truncated: false, selected: new Set() };

/** The status badges of a user: [key, label]. */
export function badgesOf(u) {
  const out = [];
  if (u.approval_status === 'approved') out.push(['approved', BADGES.approved]);
  else if (u.approval_status === 'rejected') out.push(['rejected', BADGES.rejected]);
  else if (u.approval_status) out.push(['pending', BADGES.pending]);
  if (u.is_locked) out.push(['locked', BADGES.locked]);
  if (u.is_totp_enabled) out.push(['totp', BADGES.totp]);
  if (u.password_must_change) out.push(['must-change', BADGES.mustChange]);
  if (u.is_super_user) out.push(['super', BADGES.super]);
  return out;
}

export function badgeEls(u) {
  return badgesOf(u).map(([k, label]) => el('span', { className: `badge badge-${k}` }, label));
}

const STATUS_FILTERS = {
  pending: (u) => u.approval_status === 'before_decision',
  approved: (u) => u.approval_status === 'approved',
  rejected: (u) => u.approval_status === 'rejected',
  locked: (u) => u.is_locked,
  totp: (u) => u.is_totp_enabled,
  'must-change': (u) => u.password_must_change,
};

/**
 * When each user last logged in: the server's `last_login_time` (search rows carry it), or, from
 * a server older than that field, the newest login in the audit records the console can read.
 */
function lastLogins() {
  // The audit is read only for rows of a server without the field.
  const audited = new Map();
  if (list.rows.some((u) => u.last_login_time === undefined)) {
    for (const e of state.audit) {
      if (e.op !== 'user.login' || (e.result && e.result !== 'ok')) continue;
      if (!audited.has(e.target_user) || audited.get(e.target_user) < e.time) audited.set(e.target_user, e.time);
    }
  }
  const m = new Map();
  for (const u of list.rows) {
    const at = u.last_login_time === undefined ? audited.get(u.username) : toDate(u.last_login_time)?.toISOString();
    if (at) m.set(u.username, at);
  }
  return m;
}

async function readAll(criteria) {
  const rows = [];
  for (let page = 1; ; page += 1) {
    const r = await state.backend.search(state.ust, { ...criteria, cur_page: page, page_size: 100 });
    rows.push(...r.result);
    if (!r.has_next_page || rows.length >= READ_LIMIT) return { rows, truncated: r.has_next_page };
  }
}

/** Every user matching `q` in any allowed field, merged by id. */
async function find(q) {
  if (!q) return readAll({});
  const searches = [readAll({ username: q }), readAll({ display_name: q, is_name_exact: false })];
  if (state.caps.emailSearch && q.includes('@')) searches.push(readAll({ email: q }));
  const settled = await Promise.allSettled(searches);
  const refused = settled.find((p) => p.status === 'rejected');
  if (refused) throw refused.reason;
  const parts = settled.map((p) => p.value);
  const byId = new Map();
  for (const p of parts) for (const u of p.rows) byId.set(u.user_id, u);
  return { rows: [...byId.values()], truncated: parts.some((p) => p.truncated) };
}

/** The query of a #/users URL: q, status, sort, dir, page, size. */
export function usersQuery(params) {
  return {
    q: (params.get('q') ?? '').trim(),
    status: params.get('status') ?? '',
    sort: params.get('sort') ?? 'username',
    dir: params.get('dir') === 'desc' ? 'desc' : 'asc',
    page: Math.max(1, Number(params.get('page')) || 1),
    size: [10, 20, 50, 100].includes(Number(params.get('size'))) ? Number(params.get('size')) : 20,
  };
}

function go(query) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== '' && v !== undefined) p.set(k, String(v));
  const hash = `#/users?${p}`;
  if (location.hash === hash) return false;
  location.hash = hash;
  return true;
}

let current = usersQuery(new URLSearchParams());

function sortValue(u, key, logins) {
  if (key === 'status') return badgesOf(u).map(([, l]) => l).join(' ');
  if (key === 'last_login') return logins.get(u.username) ?? '';
  const v = u[key];
  if (key.endsWith('_time')) return toDate(v)?.toISOString() ?? '';
  return (v ?? '').toString().toLowerCase();
}

function filtered() {
  const logins = lastLogins();
  const rows = list.rows.filter(STATUS_FILTERS[current.status] ?? (() => true));
  const dir = current.dir === 'desc' ? -1 : 1;
  rows.sort((a, b) => {
    const x = sortValue(a, current.sort, logins);
    const y = sortValue(b, current.sort, logins);
    return x < y ? -dir : x > y ? dir : 0;
  });
  return { rows, logins };
}

/** A truncated cell: the whole (neutralised) value on hover. */
function cell(label, value, child) {
  const td = el('td', { dataset: { label } });
  const span = el('span', { className: 'clip' }, child ?? bdi(value));
  if (value !== null && value !== undefined && value !== '') span.title = plain(value);
  td.append(span);
  return td;
}

function row(u, logins) {
  const self = isSelf(u);
  const box = el('input', { type: 'checkbox', checked: list.selected.has(u.user_id), disabled: self, 'aria-label': T.selectUser(plain(u.username)) });
  if (self) box.title = T.bulkSelfSkipped;
  box.addEventListener('change', () => {
    if (box.checked) list.selected.add(u.user_id);
    else list.selected.delete(u.user_id);
    updateBulk();
  });
  const link = el('a', { href: `#/users/${encodeURIComponent(u.user_id)}` }, bdi(u.username));
  const lastLogin = logins.get(u.username);
  return el('tr', {},
    el('td', { className: 'sel', dataset: { label: '' } }, box),
    cell(C.username, u.username, link),
    cell(C.display_name, u.display_name),
    cell(C.email, u.email),
    el('td', { dataset: { label: C.status } }, ...badgeEls(u)),
    el('td', { dataset: { label: C.created } }, timeEl(u.sign_up_time)),
    el('td', { dataset: { label: C.lastLogin } }, lastLogin ? timeEl(lastLogin, { rel: true }) : el('span', { className: 'muted', title: T.notRecorded }, '—')));
}

function updateBulk() {
  const n = list.selected.size;
  $('#bulk-bar').hidden = n === 0;
  $('#bulk-count').textContent = T.selected(n);
}

function draw() {
  const { rows, logins } = filtered();
  const pages = Math.max(1, Math.ceil(rows.length / current.size));
  const page = Math.min(current.page, pages);
  const shown = rows.slice((page - 1) * current.size, page * current.size);
  $('#users-table tbody').replaceChildren(...shown.map((u) => row(u, logins)));
  $('#users-caption').textContent = T.usersCaption(rows.length, list.rows.length);
  $('#page-info').textContent = T.pageInfo(page, pages);
  $('#prev-page').disabled = page <= 1;
  $('#next-page').disabled = page >= pages;
  const empty = $('#users-empty');
  empty.hidden = rows.length > 0;
  empty.textContent = list.rows.length === 0 && !current.q ? T.emptyNoUsers : T.emptyNoMatch(plain(current.q));
  $('#users-table').hidden = rows.length === 0;
  for (const th of $$('#users-table th[data-sort]')) {
    th.setAttribute('aria-sort', th.dataset.sort === current.sort ? (current.dir === 'asc' ? 'ascending' : 'descending') : 'none');
  }
  const selectable = shown.filter((u) => !isSelf(u));
  $('#select-all').checked = selectable.length > 0 && selectable.every((u) => list.selected.has(u.user_id));
  $('#search-help').textContent = [state.caps.emailSearch ? '' : T.searchHelpNoEmail, list.truncated ? T.truncated(list.rows.length) : ''].filter(Boolean).join(' ');
  updateBulk();
}

/** Shows #/users with `params`; reads from the backend when the search changed or `fresh`. */
let generation = 0;

/** A change made elsewhere (a user's page): the list is read again when it is shown next. */
export function usersChanged() {
  list.key = null;
}

export async function showUsers(params, { fresh = false } = {}) {
  const mine = ++generation;
  current = usersQuery(params);
  $('#search-q').value = current.q;
  $('#search-q').placeholder = T.searchPlaceholder(state.caps.emailSearch);
  $('#filter-status').value = current.status;
  $('#page-size').value = String(current.size);
  const key = JSON.stringify([current.q, state.ust]);
  if (fresh || key !== list.key) {
    try {
      const r = await find(current.q);
      // A newer search (another URL meanwhile) owns the table now.
      if (mine !== generation) return;
      list.rows = r.rows;
      list.truncated = r.truncated;
      list.key = key;
      for (const u of r.rows) state.names.set(u.user_id, u.username);
      const ids = new Set(r.rows.map((u) => u.user_id));
      for (const id of list.selected) if (!ids.has(id)) list.selected.delete(id);
      showError('search', null);
    } catch (e) {
      if (mine !== generation) return;
      list.key = null;
      list.rows = [];
      showError('search', e);
    }
  }
  draw();
}

export const refreshUsers = () => showUsers(new URLSearchParams(location.hash.split('?')[1] ?? ''), { fresh: true });

const BULK = {
  approve: (b, id) => b.approve(state.ust, id),
  lock: (b, id) => b.lock(state.ust, id),
  unlock: (b, id) => b.unlock(state.ust, id),
  delete: (b, id) => b.remove(state.ust, id),
};

async function bulk(action) {
  const ids = [...list.selected].filter((id) => !isSelf({ user_id: id, username: state.names.get(id) }));
  if (!ids.length) return;
  const label = ACTIONS[action];
  const names = ids.map((id) => plain(state.names.get(id) ?? id));
  const text = `${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`;
  if (!(await confirmDialog(T.confirmBulk(label, ids.length), text, label))) return;
  const bar = $('#bulk-progress');
  bar.hidden = false;
  bar.max = ids.length;
  bar.value = 0;
  let failed = 0;
  for (const [i, id] of ids.entries()) {
    try {
      await BULK[action](state.backend, id);
      list.selected.delete(id);
    } catch (e) {
      failed += 1;
      if (e instanceof ConsoleError && e.kind === 'transport') {
        showError('search', e);
        break;
      }
    }
    bar.value = i + 1;
    $('#bulk-progress-text').textContent = T.bulkProgress(i + 1, ids.length);
  }
  bar.hidden = true;
  $('#bulk-progress-text').textContent = '';
  toast(T.bulkDone(label, ids.length - failed, failed));
  await refreshUsers();
}

function exportCsv() {
  const { rows, logins } = filtered();
  const lines = [csvRow(['user_id', 'username', 'display_name', 'email', 'status', 'created', 'last_login'])];
  for (const u of rows) {
    const created = toDate(u.sign_up_time)?.toISOString() ?? '';
    lines.push(csvRow([u.user_id, u.username, u.display_name, u.email, badgesOf(u).map(([, l]) => l).join('; '), created, logins.get(u.username) ?? '']));
  }
  const url = URL.createObjectURL(new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' }));
  const a = el('a', { href: url, download: `users-${new Date().toISOString().slice(0, 10)}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A password the policy accepts, made in the page and shown once. */
function generatePassword() {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => alphabet[b % alphabet.length]).join('');
}

export function wireUsers() {
  onSubmit($('#search-form'), async (form) => {
    const f = formData(form);
    // Search always reads afresh: through the hashchange, or directly when the URL is the same.
    list.key = null;
    if (!go({ ...current, q: f.q.trim(), status: f.status, size: f.pageSize, page: 1 })) await refreshUsers();
  });
  // A filter applies with what the search box says now (as the Search button would).
  const typed = () => $('#search-q').value.trim();
  $('#filter-status').addEventListener('change', () => go({ ...current, q: typed(), status: $('#filter-status').value, page: 1 }));
  $('#page-size').addEventListener('change', () => go({ ...current, q: typed(), size: $('#page-size').value, page: 1 }));
  $('#prev-page').addEventListener('click', () => go({ ...current, page: current.page - 1 }));
  $('#next-page').addEventListener('click', () => go({ ...current, page: current.page + 1 }));
  for (const th of $$('#users-table th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => {
      const key = th.dataset.sort;
      go({ ...current, sort: key, dir: current.sort === key && current.dir === 'asc' ? 'desc' : 'asc' });
    });
  }
  $('#select-all').addEventListener('change', (ev) => {
    for (const box of $$('#users-table tbody input[type=checkbox]:not(:disabled)')) {
      if (box.checked !== ev.target.checked) box.click();
    }
  });
  for (const b of $$('[data-bulk]')) b.addEventListener('click', () => busy(b, () => bulk(b.dataset.bulk)));
  $('#export-csv').addEventListener('click', exportCsv);

  onSubmit($('#create-form'), async (form) => {
    const f = formData(form);
    const data = { username: f.username };
    if (f.display_name) data.display_name = f.display_name;
    if (f.email) {
      if (!looksLikeEmail(f.email)) {
        showError('create', null);
        $('#create-email-error').textContent = T.emailFormat;
        return;
      }
      data.email = f.email;
    }
    const generated = f.password ? null : generatePassword();
    data.password = f.password || generated;
    if (f.password_must_change) data.password_must_change = true;
    try {
      await state.backend.create(state.ust, data, Boolean(f.approve));
    } catch (e) {
      showError('create', e);
      const policy = state.backend.policy;
      if (policy && e.codes?.includes('E003001')) {
        const word = policy.rejectList.find((w) => data.password.toLowerCase().includes(w));
        if (word) $('#create-password-error').textContent += ` It contains "${word}".`;
      }
      return;
    }
    showError('create', null);
    form.reset();
    $('#generated-box').hidden = !generated;
    $('#generated-label').textContent = T.generatedPassword;
    $('#generated-password').value = generated ?? '';
    toast(f.approve ? T.createdApproved(plain(data.username)) : T.created(plain(data.username)));
    await refreshUsers();
  });
  $('#copy-generated').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText($('#generated-password').value);
      toast(T.copied);
    } catch {
      $('#generated-password').select();
      toast(T.copyFailed);
    }
  });
}

/** Forgets the list and anything typed (logout). */
export function forgetUsers() {
  list.key = null;
  list.rows = [];
  list.selected.clear();
  $('#users-table tbody').replaceChildren();
  $('#generated-box').hidden = true;
  $('#generated-password').value = '';
  $('#create-password').value = '';
}
