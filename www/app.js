// The edge-sso admin console: the whole library in this page over IndexedDB, or a REST
// server (`make demo`'s worker). Plain DOM, no framework.
import { Sso, SsoError, IndexedDbStore } from '/pkg/entrypoints/browser.js';
import qrcode from '/vendor/qrcode.mjs';

const APP = 'CRM';
const $ = (sel) => document.querySelector(sel);

/** Every code as a sentence a person can act on. */
const MESSAGES = {
  E001001: 'A username is required (and may not contain a reserved word).',
  E001002: 'That username is taken.',
  E001003: 'That username is too long.',
  E001004: 'A username cannot contain spaces.',
  E002001: 'That email contains a reserved word.',
  E002002: 'That email is already used.',
  E002003: 'That email is too long.',
  E002004: 'An email cannot contain spaces.',
  E002005: 'An email is required.',
  E003001: 'That password is too common (it contains a word from the reject list).',
  E003002: 'That password is too short.',
  E003003: 'That password is too long.',
  E003004: 'The password has expired.',
  E003006: 'The password is about to expire.',
  E003007: 'The password must be changed: enter a new password too.',
  E004001: 'This application is not allowed here.',
  E005001: 'Not allowed: check the username and password.',
  E005002: 'This account is locked.',
  E005003: 'This account has not confirmed its sign-up.',
  E005004: 'This account is not approved yet.',
  E005008: 'Enter the code from your authenticator app.',
  E006001: 'This application may not send login details.',
  E007001: 'Your session has ended: log in again.',
  E008001: 'That is not possible (users cannot delete themselves).',
  E008002: 'Some input was not accepted.',
  E008003: 'Nothing to change.',
  E008004: 'The storage failed: try again.',
  E008005: 'Someone else changed this at the same moment: try again.',
  E009001: 'That attribute exists.',
  E010001: 'That reset token cannot be used.',
};

/** Which field a code belongs to, so the sentence appears next to it. */
function fieldOf(code) {
  if (code.startsWith('E001')) return 'username';
  if (code.startsWith('E002')) return 'email';
  if (code.startsWith('E003')) return 'password';
  return 'form';
}

class ConsoleError extends Error {
  constructor(codes, message) {
    super(message);
    this.codes = codes;
  }
}

const asConsoleError = (e) =>
  e instanceof ConsoleError ? e : e instanceof SsoError ? new ConsoleError(e.sub_status, e.message) : new ConsoleError(['E008004'], String(e?.message ?? e));

/** Clears a form's error slots and shows `err` in the right ones. */
function showError(prefix, err) {
  document.querySelectorAll(`[id^="${prefix}-"][id$="-error"]`).forEach((el) => { el.textContent = ''; });
  if (!err) return;
  const e = asConsoleError(err);
  for (const code of e.codes.length ? e.codes : ['E005001']) {
    const slot = $(`#${prefix}-${fieldOf(code)}-error`) ?? $(`#${prefix}-form-error`);
    slot.textContent = `${MESSAGES[code] ?? e.message} (${code})`;
  }
}

function status(text) {
  $('#status').textContent = text;
}

const clip = (s, n = 300) => (typeof s === 'string' && s.length > n ? `${s.slice(0, n)}…` : s);

// ---------------------------------------------------------------------------- backends

/** The library in this page; data in IndexedDB, sealed with a key kept in localStorage. */
class LocalBackend {
  kind = 'local';

  static async open(onAudit) {
    const b = new LocalBackend();
    b.store = await IndexedDbStore.open('edge-sso-console');
    let key = localStorage.getItem('edge-sso-console-key');
    if (!key) {
      key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
      localStorage.setItem('edge-sso-console-key', key);
    }
    b.sso = new Sso({ store: b.store, secretKey: key, audit: onAudit });
    return b;
  }

  async run(fn) {
    try {
      return await fn(this.sso);
    } catch (e) {
      throw asConsoleError(e);
    }
  }

  async hasUsers() {
    return (await this.store.list({ prefix: 'sso/user/', limit: 1 })).keys.length > 0;
  }

  createSuperUser(username, password) {
    return this.run((s) => s.user.createSuperUser(null, { username, password }));
  }

  login(username, password, totpCode, newPassword) {
    return this.run((s) => s.user.login(null, username, password, APP, '', { totpCode: totpCode || undefined, newPassword: newPassword || undefined }));
  }

  logout(ust) { return this.run((s) => s.user.logout(null, ust, APP, '')); }
  me(ust) { return this.run(async (s) => (await s.user.getCurrentUser(null, ust, APP, '')).toJSON()); }
  get(ust, id) { return this.run(async (s) => (await s.user.getUserById(null, id, ust, APP, '')).toJSON()); }

  search(ust, criteria) {
    return this.run(async (s) => {
      const r = await s.user.search(null, criteria, ust, APP, '');
      return { ...r, result: r.result.map((u) => u.toJSON()) };
    });
  }

  create(ust, data) { return this.run((s) => s.user.createUser(null, data, ust, APP, '')); }
  update(ust, id, data) { return this.run((s) => s.user.updateUserById(null, id, data, ust, APP, '')); }
  updateSelf(ust, data) { return this.run((s) => s.user.updateCurrentUser(null, data, ust, APP, '')); }
  approve(ust, id) { return this.run((s) => s.user.approveUser(null, id, ust, APP, '')); }
  reject(ust, id) { return this.run((s) => s.user.rejectUser(null, id, ust, APP, '')); }
  lock(ust, id) { return this.run((s) => s.user.lockUser(null, id, ust, APP, '')); }
  unlock(ust, id) { return this.run((s) => s.user.unlockUser(null, id, ust, APP, '')); }
  remove(ust, id) { return this.run((s) => s.user.deleteUserById(null, id, ust, APP, '')); }
  setPassword(ust, id, password) { return this.run((s) => s.user.changePassword(null, { user_id: id, new_password: password }, ust, APP, '')); }
  resetTotp(ust, id) { return this.run((s) => s.user.resetTotpKey(null, ust, APP, '', id ? { userId: id } : {})); }
  totpUri(key, account) { return this.run((s) => s.totp.provisioningUri(key, account, { issuer: 'edge-sso console' })); }
  sessions(ust) { return this.run((s) => s.user.session.getList(null, ust, null, null, APP, '')); }
  renew(ust) { return this.run((s) => s.user.session.renew(null, ust, APP, '')); }
}

/** Zato's REST API on a server (`make demo`). */
class RestBackend {
  kind = 'rest';

  constructor(base) {
    this.base = base.replace(/\/$/, '');
  }

  async call(method, path, input = {}) {
    const url = new URL(`${this.base}/zato/sso${path}`);
    // The UST travels as a bearer token, never in a URL (a GET's inputs are in the query).
    const { ust, ...rest } = input;
    const body = { current_app: APP, ...rest };
    const init = { method, headers: { 'content-type': 'application/json' } };
    if (ust) init.headers.authorization = `Bearer ${ust}`;
    if (method === 'GET') for (const [k, v] of Object.entries(body)) url.searchParams.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    else init.body = JSON.stringify(body);
    let r;
    try {
      r = await (await fetch(url, init)).json();
    } catch (e) {
      throw new ConsoleError(['E008004'], `The server could not be reached: ${e.message}`);
    }
    if (r.status === 'error') throw new ConsoleError(r.sub_status ?? [], r.sub_status?.join(', ') ?? 'error');
    if (r.result === 'Error') throw new ConsoleError(['E008002'], r.details);
    return r;
  }

  async hasUsers() { return true; }
  async createSuperUser() { throw new ConsoleError([], 'Super-users are created on the server (make demo prints its credentials).'); }

  async login(username, password, totpCode, newPassword) {
    const input = { username, password };
    if (totpCode) input.totp_code = totpCode;
    if (newPassword) input.new_password = newPassword;
    return this.call('POST', '/user/login', input);
  }

  logout(ust) { return this.call('POST', '/user/logout', { ust }); }
  me(ust) { return this.call('GET', '/user', { ust }); }
  get(ust, user_id) { return this.call('GET', '/user', { ust, user_id }); }
  search(ust, criteria) { return this.call('GET', '/user/search', { ust, ...criteria }); }
  create(ust, data) { return this.call('POST', '/user', { ust, ...data }); }
  update(ust, user_id, data) { return this.call('PATCH', '/user', { ust, user_id, ...data }); }
  updateSelf(ust, data) { return this.call('PATCH', '/user', { ust, ...data }); }
  approve(ust, user_id) { return this.call('POST', '/user/approve', { ust, user_id }); }
  reject(ust, user_id) { return this.call('POST', '/user/reject', { ust, user_id }); }
  lock(ust, user_id) { return this.call('POST', '/user/lock', { ust, user_id }); }
  unlock(ust, user_id) { return this.call('DELETE', '/user/lock', { ust, user_id }); }
  remove(ust, user_id) { return this.call('DELETE', '/user', { ust, user_id }); }
  setPassword(ust, user_id, new_password) { return this.call('PATCH', '/user/password', { ust, user_id, new_password }); }

  async resetTotp(ust, user_id) {
    const key = randomBase32(32);
    const input = { ust, totp_key: key, totp_label: 'edge-sso console' };
    if (user_id) input.user_id = user_id;
    return (await this.call('PATCH', '/user/totp', input)).totp_key;
  }

  async totpUri(key, account) {
    const issuer = encodeURIComponent('edge-sso console');
    return `otpauth://totp/${issuer}:${encodeURIComponent(account)}?secret=${key}&issuer=${issuer}&algorithm=SHA1&digits=6&period=30`;
  }

  async sessions(ust) { return (await this.call('GET', '/user/session/list', { ust })).result; }
  async renew(ust) { return (await this.call('PATCH', '/user/session', { ust })).expiration_time; }
}

function randomBase32(n) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => alphabet[b % 32]).join('');
}

// ---------------------------------------------------------------------------- state

const state = { backend: null, ust: sessionStorage.getItem('edge-sso-console-ust'), me: null, page: 1, criteria: {}, selected: null };

function setUst(ust) {
  state.ust = ust;
  if (ust) sessionStorage.setItem('edge-sso-console-ust', ust);
  else {
    sessionStorage.removeItem('edge-sso-console-ust');
    forgetSecrets();
  }
}

/** Out of the page when a session ends: TOTP keys shown, their QR codes, typed passwords. */
function forgetSecrets() {
  for (const box of ['#me-totp-box', '#totp-box']) $(box).hidden = true;
  for (const qr of ['#me-totp-qr', '#totp-qr']) $(qr).replaceChildren();
  for (const field of ['#me-totp-key', '#totp-key', '#totp-uri', '#setup-password', '#login-password', '#login-new-password', '#login-totp',
    '#create-password', '#setpw-password']) $(field).value = '';
  $('#detail').hidden = true;
  state.selected = null;
}

function show(section) {
  for (const id of ['setup', 'login', 'app']) $(`#${id}`).hidden = id !== section;
}

function audit(event) {
  const li = document.createElement('li');
  li.textContent = JSON.stringify(event);
  const list = $('#audit-list');
  list.prepend(li);
  while (list.children.length > 200) list.lastChild.remove();
}

async function useBackend(kind, url) {
  localStorage.setItem('edge-sso-console-mode', JSON.stringify({ kind, url }));
  document.querySelectorAll('.rest-only').forEach((el) => { el.hidden = kind !== 'rest'; });
  $('#audit-note').textContent = kind === 'rest'
    ? 'The audit log of a REST server is on the server: switch to "In this page" to watch records as they happen.'
    : 'Records of the audit callback, newest first, as they happen.';
  state.backend = kind === 'rest' ? new RestBackend(url || location.origin) : await LocalBackend.open(audit);
  await route();
}

async function route() {
  if (state.ust) {
    try {
      state.me = await state.backend.me(state.ust);
      return enterApp();
    } catch {
      setUst(null);
    }
  }
  show((await state.backend.hasUsers()) ? 'login' : 'setup');
  $('#who').textContent = '';
}

async function enterApp() {
  show('app');
  $('#who').textContent = `Logged in as ${state.me.username}${state.me.is_super_user ? ' (super-user)' : ''}`;
  const isSuper = Boolean(state.me.is_super_user);
  $('[data-tab=users]').hidden = !isSuper;
  selectTab(isSuper ? 'users' : 'me');
  if (isSuper) await loadUsers();
}

function selectTab(name) {
  document.querySelectorAll('nav [data-tab]').forEach((b) => b.setAttribute('aria-pressed', String(b.dataset.tab === name)));
  for (const t of ['users', 'sessions', 'me', 'audit']) $(`#tab-${t}`).hidden = t !== name;
  if (name === 'sessions') loadSessions();
  if (name === 'me') loadMe();
}

// ---------------------------------------------------------------------------- users

async function loadUsers() {
  try {
    const r = await state.backend.search(state.ust, { ...state.criteria, cur_page: state.page, page_size: 20 });
    const body = $('#users-table tbody');
    body.replaceChildren(...r.result.map((u) => {
      const tr = document.createElement('tr');
      const name = document.createElement('td');
      const open = document.createElement('button');
      open.type = 'button';
      open.textContent = u.username;
      open.setAttribute('aria-label', `Open ${u.username}`);
      open.addEventListener('click', () => openUser(u.user_id));
      name.append(open);
      tr.append(name);
      for (const v of [u.display_name, u.approval_status, u.is_locked ? 'locked' : '']) {
        const td = document.createElement('td');
        td.textContent = v ?? '';
        tr.append(td);
      }
      return tr;
    }));
    $('#users-caption').textContent = `Users: ${r.total} found`;
    $('#page-info').textContent = `Page ${r.cur_page} of ${Math.max(r.num_pages, 1)}`;
    $('#prev-page').disabled = !r.has_prev_page;
    $('#next-page').disabled = !r.has_next_page;
    showError('search', null);
  } catch (e) {
    showError('search', e);
    if (asConsoleError(e).codes.includes('E007001')) route().catch((err) => status(`Could not reload: ${err.message}`));
  }
}

const FIELDS = ['user_id', 'username', 'display_name', 'first_name', 'middle_name', 'last_name', 'email', 'is_super_user',
  'approval_status', 'approval_status_mod_by', 'approval_status_mod_time', 'approv_rej_time', 'approv_rej_by', 'is_locked',
  'locked_time', 'locked_by', 'sign_up_status', 'sign_up_time', 'password_must_change', 'password_last_set', 'password_expiry',
  'is_totp_enabled', 'totp_label', 'is_active', 'is_internal', 'is_approval_needed', 'password_is_set', 'creation_ctx'];

function renderFields(dl, user) {
  dl.replaceChildren(...FIELDS.filter((f) => f in user).flatMap((f) => {
    const dt = document.createElement('dt');
    dt.textContent = f;
    const dd = document.createElement('dd');
    dd.textContent = user[f] === null ? '—' : String(user[f]);
    dd.dataset.field = f;
    return [dt, dd];
  }));
}

async function openUser(id) {
  try {
    const u = await state.backend.get(state.ust, id);
    state.selected = u;
    $('#detail').hidden = false;
    $('#detail-title').textContent = `User ${u.username}`;
    renderFields($('#detail-fields'), u);
    $('#edit-username').value = u.username;
    $('#edit-display').value = u.display_name ?? '';
    $('#edit-email').value = u.email ?? '';
    $('#totp-box').hidden = true;
    showError('detail', null);
    showError('edit', null);
    showError('setpw', null);
  } catch (e) {
    showError('detail', e);
  }
}

async function act(action) {
  const u = state.selected;
  if (!u) return;
  const b = state.backend;
  try {
    if (action === 'delete') {
      $('#confirm-text').textContent = `${u.username} and all their sessions and attributes will be deleted.`;
      const dialog = $('#confirm-delete');
      dialog.returnValue = '';
      dialog.showModal();
      await new Promise((r) => dialog.addEventListener('close', r, { once: true }));
      if (dialog.returnValue !== 'delete') return;
      await b.remove(state.ust, u.user_id);
      $('#detail').hidden = true;
      state.selected = null;
      status(`Deleted ${u.username}.`);
      return loadUsers();
    }
    if (action === 'totp') {
      const key = await b.resetTotp(state.ust, u.user_id);
      await showTotp('#totp-box', '#totp-qr', '#totp-key', key, u.username, '#totp-uri');
      status(`New TOTP key for ${u.username}.`);
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
    status(`${action} done for ${u.username}.`);
    await openUser(u.user_id);
    await loadUsers();
  } catch (e) {
    showError('detail', e);
  }
}

async function showTotp(box, qrSel, keySel, key, account, uriSel) {
  const uri = await state.backend.totpUri(key, account);
  const qr = qrcode(0, 'M');
  qr.addData(uri);
  qr.make();
  $(qrSel).innerHTML = qr.createSvgTag({ cellSize: 4, margin: 2, scalable: true });
  $(keySel).value = key;
  if (uriSel) $(uriSel).value = uri;
  $(box).hidden = false;
}

// ---------------------------------------------------------------------------- sessions, me

async function loadSessions() {
  try {
    const list = await state.backend.sessions(state.ust);
    $('#sessions-list').replaceChildren(...list.map((s) => {
      const li = document.createElement('li');
      const history = (s.session_state_change_list ?? []).map((h) => `${h.idx}. ${h.ctx_source} ${h.timestamp_utc} from ${JSON.stringify(h.remote_addr)}`).join('\n');
      li.textContent = `session ${s.session_id}: created ${s.creation_time}, expires ${s.expiration_time}\n${history}`;
      li.style.whiteSpace = 'pre-wrap';
      return li;
    }));
    showError('sessions', null);
  } catch (e) {
    showError('sessions', e);
  }
}

async function loadMe() {
  try {
    state.me = await state.backend.me(state.ust);
    renderFields($('#me-fields'), state.me);
    showError('me', null);
  } catch (e) {
    showError('me', e);
  }
}

// ---------------------------------------------------------------------------- wiring

function formData(form) {
  return Object.fromEntries(new FormData(form).entries());
}

$('#setup-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const { username, password } = formData(ev.target);
  try {
    await state.backend.createSuperUser(clip(username, 10_000), clip(password, 10_000));
    showError('setup', null);
    status(`Super-user ${username} created: log in.`);
    $('#setup-password').value = '';
    show('login');
    $('#login-username').value = username;
    $('#login-password').focus();
  } catch (e) {
    showError('setup', e);
  }
});

$('#login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const { username, password, totp, newPassword } = formData(ev.target);
  try {
    const r = await state.backend.login(username, password, totp.trim(), newPassword);
    setUst(r.ust);
    ev.target.reset();
    showError('login', null);
    status(r.has_w_about_to_exp || r.status === 'warning' ? 'Logged in. Your password expires soon.' : 'Logged in.');
    state.me = await state.backend.me(state.ust);
    await enterApp();
  } catch (e) {
    showError('login', e);
  }
});

$('#logout').addEventListener('click', async () => {
  try {
    await state.backend.logout(state.ust);
  } catch {
    // The session is gone either way.
  }
  setUst(null);
  state.selected = null;
  $('#detail').hidden = true;
  status('Logged out.');
  await route();
});

document.querySelectorAll('nav [data-tab]').forEach((b) => b.addEventListener('click', () => selectTab(b.dataset.tab)));

$('#search-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const { field, value } = formData(ev.target);
  const v = value.trim();
  state.criteria = !v ? {} : field === 'display_name' ? { display_name: v, is_name_exact: false } : { [field]: v };
  state.page = 1;
  await loadUsers();
});

$('#prev-page').addEventListener('click', () => { state.page = Math.max(1, state.page - 1); loadUsers(); });
$('#next-page').addEventListener('click', () => { state.page += 1; loadUsers(); });

$('#create-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = formData(ev.target);
  const data = { username: f.username };
  for (const k of ['password', 'display_name', 'email']) if (f[k]) data[k] = f[k];
  if (f.password_must_change) data.password_must_change = true;
  try {
    await state.backend.create(state.ust, data);
    showError('create', null);
    ev.target.reset();
    status(`Created ${data.username}.`);
    await loadUsers();
  } catch (e) {
    showError('create', e);
  }
});

document.querySelectorAll('#detail [data-action]').forEach((b) => b.addEventListener('click', () => act(b.dataset.action)));

$('#edit-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const u = state.selected;
  const f = formData(ev.target);
  const data = {};
  if (f.username !== u.username) data.username = f.username;
  if (f.display_name !== (u.display_name ?? '')) data.display_name = f.display_name;
  if (f.email !== (u.email ?? '')) data.email = f.email || null;
  if (!Object.keys(data).length) return showError('edit', new ConsoleError(['E008003'], 'nothing changed'));
  try {
    await state.backend.update(state.ust, u.user_id, data);
    showError('edit', null);
    status(`Saved ${f.username}.`);
    await openUser(u.user_id);
    await loadUsers();
  } catch (e) {
    showError('edit', e);
  }
});

$('#setpw-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  try {
    await state.backend.setPassword(state.ust, state.selected.user_id, formData(ev.target).password);
    showError('setpw', null);
    ev.target.reset();
    status(`Password set for ${state.selected.username}; their sessions ended.`);
  } catch (e) {
    showError('setpw', e);
  }
});

$('#renew').addEventListener('click', async () => {
  try {
    const t = await state.backend.renew(state.ust);
    status(`Session renewed until ${t instanceof Date ? t.toISOString() : t}.`);
    await loadSessions();
  } catch (e) {
    showError('sessions', e);
  }
});
$('#refresh-sessions').addEventListener('click', loadSessions);

$('#me-totp').addEventListener('click', async () => {
  try {
    const key = await state.backend.resetTotp(state.ust);
    await showTotp('#me-totp-box', '#me-totp-qr', '#me-totp-key', key, state.me.username);
    status('New TOTP key: scan it, then turn two-factor on.');
    await loadMe();
  } catch (e) {
    showError('me', e);
  }
});

for (const [id, on] of [['#me-totp-on', true], ['#me-totp-off', false]]) {
  $(id).addEventListener('click', async () => {
    try {
      await state.backend.updateSelf(state.ust, { is_totp_enabled: on });
      status(on ? 'Two-factor is on: the next login asks for a code.' : 'Two-factor is off.');
      await loadMe();
    } catch (e) {
      showError('me', e);
    }
  });
}

$('#mode').addEventListener('change', () => {
  document.querySelectorAll('.rest-only').forEach((el) => { el.hidden = $('#mode').value !== 'rest'; });
});

$('#mode-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  setUst(null);
  try {
    await useBackend($('#mode').value, $('#rest-url').value);
  } catch (e) {
    status(`Could not use that backend: ${e.message}`);
  }
});

const saved = JSON.parse(localStorage.getItem('edge-sso-console-mode') ?? 'null') ?? { kind: location.search.includes('rest') ? 'rest' : 'local', url: '' };
$('#mode').value = saved.kind;
$('#rest-url').value = saved.url || location.origin;
useBackend(saved.kind, saved.url).catch((e) => status(`Could not start: ${e.message}`));
