// The console's two backends with one interface: the library in this page over IndexedDB, or
// Zato's REST API on a server (`make demo`'s worker).
import { Sso, SsoError, IndexedDbStore } from '/pkg/entrypoints/browser.js';
import { T } from './strings.js';

export const APP = 'CRM';

/**
 * An error the console can place: `codes` (Zato sub-statuses), `detail` (the library's own
 * words, which name the field and limit of an E008002), and `kind`: "sso" (the library or
 * server refused), "transport" (no answer at all) or "http" (an answer that is not the API).
 */
export class ConsoleError extends Error {
  constructor(codes, detail = '', kind = 'sso') {
    super(detail || codes.join(', '));
    this.codes = codes;
    this.detail = detail;
    this.kind = kind;
  }
}

export const asConsoleError = (e) => (e instanceof ConsoleError ? e
  : e instanceof SsoError ? new ConsoleError(e.sub_status?.length ? e.sub_status : [e.code], e.message)
    : new ConsoleError(['E008004'], String(e?.message ?? e)));

/**
 * The in-page instance's policy, stated here so that the console can say it up front (a
 * server's is not readable: see README "Admin console").
 */
export const LOCAL_POLICY = {
  minLength: 8,
  rejectList: ['111111', '123123', '123321', '123456', '123qwe', '1q2w3e', '1q2w3e4r', '1q2w3e4r5t', '222222', '333333', '444444', '555555',
    '654321', '666666', '777777', '888888', '999999', '987654321', 'google', 'letmein', 'mynoob', 'password', 'qwerty', 'zxcvbnm'],
};

/** The library in this page; data in IndexedDB, sealed with a key kept in localStorage. */
export class LocalBackend {
  kind = 'local';
  policy = LOCAL_POLICY;

  static async open(onAudit) {
    const b = new LocalBackend();
    b.store = await IndexedDbStore.open('edge-sso-console');
    let key = localStorage.getItem('edge-sso-console-key');
    if (!key) {
      key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
      localStorage.setItem('edge-sso-console-key', key);
    }
    // encrypt_email stays on (the default): emails are sealed, so search by email is off.
    const config = { main: { encrypt_email: true }, password: { min_length: LOCAL_POLICY.minLength, reject_list: LOCAL_POLICY.rejectList.join('\n') } };
    b.sso = new Sso({ store: b.store, secretKey: key, audit: onAudit, config });
    b.emailSearch = !config.main.encrypt_email;
    return b;
  }

  async run(fn) {
    try {
      return await fn(this.sso);
    } catch (e) {
      throw asConsoleError(e);
    }
  }

  async capabilities() { return { emailSearch: this.emailSearch, audit: 'page' }; }

  async hasUsers() {
    return (await this.store.list({ prefix: 'sso/user/', limit: 1 })).keys.length > 0;
  }

  createSuperUser(username, password) {
    return this.run((s) => s.user.createSuperUser(null, { username, password }));
  }

  login(username, password, totpCode, newPassword) {
    return this.run((s) => s.user.login(null, username, password, APP, '', { userAgent: navigator.userAgent, totpCode: totpCode || undefined, newPassword: newPassword || undefined }));
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

  create(ust, data, autoApprove) { return this.run((s) => s.user.createUser(null, data, ust, APP, '', { autoApprove })); }
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
  renew(ust) { return this.run((s) => s.user.session.renew(null, ust, APP, '', { userAgent: navigator.userAgent })); }
  attrs(ust, id) { return this.run((s) => s.user.attr.toDict(null, ust, APP, '', { userId: id })); }
  userSessions(ust, id) { return this.run((s) => s.user.session.getListByUserId(null, id, ust, APP, '')); }
  endSession(ust, id, sessionId) { return this.run((s) => s.user.session.endById(null, id, sessionId, ust, APP, '')); }
}

/** Zato's REST API on a server (`make demo`). */
export class RestBackend {
  kind = 'rest';
  policy = null;

  /** `declared`: what the server's console-config.json says (`audit`: its audit extension's path; `emailSearch`). */
  constructor(base, declared = {}) {
    this.base = base.replace(/\/$/, '');
    this.auditPath = declared.audit ?? null;
    this.declaredEmailSearch = declared.emailSearch;
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
    let response;
    try {
      response = await fetch(url, init);
    } catch (e) {
      throw new ConsoleError([], e.message, 'transport');
    }
    let r;
    try {
      r = await response.json();
    } catch {
      throw new ConsoleError([], String(response.status), 'http');
    }
    // A refused input (E008002) comes with `details` naming the input and its limit.
    if (r.status === 'error') throw new ConsoleError(r.sub_status?.length ? r.sub_status : ['E005001'], typeof r.details === 'string' ? r.details : '');
    if (r.result === 'Error') throw new ConsoleError(['E008002'], r.details);
    return r;
  }

  /**
   * What this server allows: its public policy (`GET /zato/sso/policy`: the password rules,
   * stated up front, and whether search by email works), else its console-config.json, else
   * (a server without the policy endpoint) one search for an address no one has tells
   * (E008002 when emails are sealed).
   */
  async capabilities(ust) {
    const audit = this.auditPath ? 'server' : 'none';
    try {
      const p = await this.call('GET', '/policy', {});
      this.policy = { minLength: p.password.min_length, rejectList: p.password.reject_list };
      return { emailSearch: Boolean(p.search.by_email), audit };
    } catch (e) {
      if (e.kind === 'transport') throw e;
    }
    if (typeof this.declaredEmailSearch === 'boolean') return { emailSearch: this.declaredEmailSearch, audit };
    let emailSearch = false;
    try {
      await this.search(ust, { email: 'nobody@email-search.invalid', page_size: 1 });
      emailSearch = true;
    } catch (e) {
      if (e.kind !== 'sso') throw e;
    }
    return { emailSearch, audit: this.auditPath ? 'server' : 'none' };
  }

  async auditTrail(ust) {
    let r;
    try {
      r = await fetch(`${this.base}${this.auditPath}`, { headers: { authorization: `Bearer ${ust}` } });
    } catch (e) {
      throw new ConsoleError([], e.message, 'transport');
    }
    if (r.status === 401) throw new ConsoleError(['E007001']);
    if (!r.ok) throw new ConsoleError([], String(r.status), 'http');
    return (await r.json()).result;
  }

  async hasUsers() { return true; }
  async createSuperUser() { throw new ConsoleError([], T.restSuperUser); }

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
  create(ust, data, autoApprove) { return this.call('POST', '/user', { ust, ...data, ...(autoApprove ? { auto_approve: true } : {}) }); }
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

  async userSessions(ust, user_id) { return (await this.call('GET', '/user/session/list', { ust, user_id })).result; }
  endSession(ust, user_id, session_id) { return this.call('DELETE', '/user/session', { ust, user_id, session_id }); }

  async attrs(ust, user_id) {
    const names = (await this.call('GET', '/user/attr/names', { ust, user_id })).result ?? [];
    const out = {};
    for (const name of names) {
      const a = await this.call('GET', '/user/attr', { ust, user_id, name });
      if (a.found) out[name] = a;
    }
    return out;
  }
}

function randomBase32(n) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return Array.from(crypto.getRandomValues(new Uint8Array(n)), (b) => alphabet[b % 32]).join('');
}
