// The edge-sso admin console: the whole library in this page over IndexedDB, or a REST
// server (`make demo`'s worker). Plain modules, no framework. Every view has a URL:
// #/users, #/users/<id>, #/sessions, #/me, #/audit.
import { LocalBackend, RestBackend } from './backends.js';
import { state, setSession } from './state.js';
import { T, IN_CONTEXT } from './strings.js';
import { toDate } from './text.js';
import { $, $$, showError, toast, onSubmit, formData, describe } from './ui.js';
import { showUsers, wireUsers, forgetUsers } from './views/users.js';
import { showUser, wireUser, forgetUser } from './views/user.js';
import { showSessions, showMe, wireAccount, forgetAccount } from './views/account.js';
import { showAudit, wireAudit, forgetAudit, recordAudit, loadServerAudit } from './views/audit.js';

const VIEWS = ['users', 'user', 'sessions', 'me', 'audit'];
let shownView = null;

function showSection(section) {
  for (const id of ['setup', 'login', 'app']) $(`#${id}`).hidden = id !== section;
  $('#logout').hidden = section !== 'app';
}

/** The policy sentence next to every new-password field, where the backend's policy is known. */
function statePolicy() {
  const p = state.backend.policy;
  const sample = p ? p.rejectList.filter((w) => /^[a-z]+$/.test(w)).slice(0, 5).map((w) => `"${w}"`).join(', ') : '';
  for (const hint of $$('.policy')) hint.textContent = p ? `(${T.passwordPolicy(p.minLength, sample, p.rejectList.length)})` : '';
}

/** What the server that serves the console says about itself (console-config.json). */
let declared = null;
let backendChoice = 0;

async function useBackend(kind, url) {
  $$('.rest-only').forEach((e) => { e.hidden = kind !== 'rest'; });
  const base = (url || location.origin).replace(/\/$/, '');
  const mine = ++backendChoice;
  const backend = kind === 'rest' ? new RestBackend(base, base === location.origin ? declared ?? {} : {}) : await LocalBackend.open(recordAudit);
  // A later choice (the form used while the first one was still opening) wins.
  if (mine !== backendChoice) return;
  state.backend = backend;
  statePolicy();
  await start();
}

/** Logged in (a UST that still works): the app; otherwise login or first-run setup. */
async function start() {
  if (state.ust) {
    try {
      state.me = await state.backend.me(state.ust);
      return enterApp();
    } catch (e) {
      if (e.kind !== 'sso') {
        showSection('login');
        showError('login', e);
        return undefined;
      }
      setSession(null);
    }
  }
  $('#who').textContent = '';
  showSection((await state.backend.hasUsers()) ? 'login' : 'setup');
  return undefined;
}

async function enterApp() {
  showSection('app');
  const isSuper = Boolean(state.me.is_super_user);
  $('#who').textContent = T.loggedInAs(state.me.username, isSuper);
  for (const a of $$('nav [data-view=users], nav [data-view=audit]')) a.hidden = !isSuper;
  // What the server allows matters to the users and audit views, a super-user's only.
  state.caps = isSuper ? await state.backend.capabilities(state.ust).catch(() => ({ emailSearch: false, audit: 'none' })) : { emailSearch: false, audit: 'none' };
  if (state.backend.kind === 'local') state.caps.audit = 'page';
  // A server's policy is known once its capabilities are read: say it next to password fields.
  statePolicy();
  if (isSuper) await loadServerAudit();
  await render();
}

/** Shows the view the URL names. */
async function render() {
  if (!state.me || $('#app').hidden) return;
  const [path, query = ''] = location.hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const isSuper = Boolean(state.me.is_super_user);
  let view = parts[0] === 'users' && parts[1] ? 'user' : parts[0];
  if (!VIEWS.includes(view) || (!isSuper && ['users', 'user', 'audit'].includes(view))) {
    view = isSuper ? 'users' : 'me';
    history.replaceState(null, '', `#/${view}`);
  }
  for (const v of VIEWS) $(`#view-${v}`).hidden = v !== view;
  // A new view takes the focus to its heading, so that a screen reader says where it is.
  if (shownView && shownView !== view) {
    const heading = $(`#view-${view} h2`);
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  shownView = view;
  for (const a of $$('nav a')) {
    if (a.dataset.view === (view === 'user' ? 'users' : view)) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (view === 'users') await showUsers(new URLSearchParams(query));
  if (view === 'user') await showUser(parts[1]);
  if (view === 'sessions') await showSessions();
  if (view === 'me') await showMe();
  if (view === 'audit') await showAudit();
}

window.addEventListener('hashchange', () => render().catch((e) => toast(describe(e))));

// ---------------------------------------------------------------------------- login

onSubmit($('#setup-form'), async (form) => {
  const { username, password } = formData(form);
  try {
    await state.backend.createSuperUser(username, password);
  } catch (e) {
    showError('setup', e);
    return;
  }
  showError('setup', null);
  toast(T.superUserCreated(username));
  $('#setup-password').value = '';
  showSection('login');
  $('#login-username').value = username;
  $('#login-password').focus();
});

/**
 * When the session just made was created, where the login answer does not say (Zato's REST
 * login returns the UST alone): the newest of the caller's sessions, read at once.
 */
async function newestSession(ust) {
  try {
    const times = (await state.backend.sessions(ust)).map((s) => toDate(s.creation_time)?.getTime() ?? 0);
    return times.length ? new Date(Math.max(...times)).toISOString() : null;
  } catch {
    return null;
  }
}

onSubmit($('#login-form'), async (form) => {
  const { username, password, totp = '', newPassword = '' } = formData(form);
  const askedTotp = !$('#login-totp-box').hidden;
  const askedNew = !$('#login-new-password-box').hidden;
  let r;
  try {
    r = await state.backend.login(username, password, askedTotp ? totp.trim() : '', askedNew ? newPassword : '');
  } catch (e) {
    showError('login', e);
    const codes = e.codes ?? [];
    if (codes.includes('E005008')) {
      $('#login-totp-box').hidden = false;
      $('#login-totp').focus();
    } else if (codes.includes('E003007')) {
      $('#login-new-password-box').hidden = false;
      $('#login-new-password').focus();
    } else if (askedTotp && codes.includes('E005001')) {
      // With a code, E005001 may be the code as well as the password: say both.
      $('#login-form-error').textContent = `${IN_CONTEXT['login-totp:E005001']} (E005001)`;
    }
    return;
  }
  setSession(r.ust, r.creation_time ? toDate(r.creation_time).toISOString() : await newestSession(r.ust));
  form.reset();
  $('#login-totp-box').hidden = true;
  $('#login-new-password-box').hidden = true;
  showError('login', null);
  toast(askedNew ? T.passwordChangedAtLogin : r.has_w_about_to_exp || r.status === 'warning' ? T.loggedInExpiring : T.loggedIn);
  state.me = await state.backend.me(state.ust);
  await enterApp();
});

/** Out of the page when a session ends: lists, fields, TOTP keys and QR codes, audit records. */
function forgetAll() {
  setSession(null);
  shownView = null;
  forgetUsers();
  forgetUser();
  forgetAccount();
  forgetAudit();
}

$('#logout').addEventListener('click', async () => {
  try {
    await state.backend.logout(state.ust);
  } catch {
    // The session is gone either way.
  }
  forgetAll();
  toast(T.loggedOut);
  await start();
});

document.addEventListener('console:session-ended', () => {
  if (!state.ust) return;
  forgetAll();
  toast(T.sessionEnded);
  start().catch((e) => toast(describe(e)));
});

// ---------------------------------------------------------------------------- wiring

wireUsers();
wireUser();
wireAccount();
wireAudit();

// "/" focuses the search, as in most admin tools (not while typing in a field).
document.addEventListener('keydown', (ev) => {
  if (ev.key !== '/' || ev.ctrlKey || ev.metaKey || ev.altKey) return;
  if (ev.target.closest?.('input, textarea, select, [contenteditable]')) return;
  if ($('#view-users').hidden) return;
  ev.preventDefault();
  $('#search-q').focus();
});

$('#mode').addEventListener('change', () => {
  $$('.rest-only').forEach((e) => { e.hidden = $('#mode').value !== 'rest'; });
});

onSubmit($('#mode-form'), async () => {
  setSession(null);
  const choice = { kind: $('#mode').value, url: $('#rest-url').value };
  localStorage.setItem('edge-sso-console-backend', JSON.stringify(choice));
  try {
    await useBackend(choice.kind, choice.url);
  } catch (e) {
    toast(describe(e));
  }
});

/**
 * The backend on load: a server that serves the console with its REST API says so in
 * console-config.json (`make demo`); an explicit choice made here ("Use") wins; else in-page.
 */
async function boot() {
  try {
    const r = await fetch('console-config.json', { cache: 'no-store' });
    if (r.ok) declared = await r.json();
  } catch {
    // A static server without it: in-page mode.
  }
  const saved = JSON.parse(localStorage.getItem('edge-sso-console-backend') ?? 'null');
  const choice = saved ?? (declared?.mode === 'rest' ? { kind: 'rest', url: location.origin } : null) ?? { kind: new URLSearchParams(location.search).has('rest') ? 'rest' : 'local', url: '' };
  $('#mode').value = choice.kind;
  $('#rest-url').value = choice.url || location.origin;
  await useBackend(choice.kind, choice.url);
}

boot().catch((e) => toast(describe(e)));
