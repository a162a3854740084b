// The console's state: the backend, the session, what the server allows, and the audit
// records this page has seen (the in-page backend's callback) — cleared on logout.
export const state = {
  backend: null,
  ust: sessionStorage.getItem('edge-sso-console-ust'),
  /** When this session was created: marks "this session" in the sessions list. */
  sessionCreated: sessionStorage.getItem('edge-sso-console-session-created'),
  me: null,
  caps: { emailSearch: false, audit: 'none' },
  /** user_id -> username, filled by every list and read: ids are shown as names. */
  names: new Map(),
  audit: [],
};

export function setSession(ust, created) {
  state.ust = ust;
  state.sessionCreated = created ?? null;
  if (ust) {
    sessionStorage.setItem('edge-sso-console-ust', ust);
    if (created) sessionStorage.setItem('edge-sso-console-session-created', created);
  } else {
    sessionStorage.removeItem('edge-sso-console-ust');
    sessionStorage.removeItem('edge-sso-console-session-created');
    state.me = null;
    state.audit = [];
    state.names.clear();
  }
}

export const isSelf = (user) => Boolean(state.me && user && (user.user_id === state.me.user_id || user.username === state.me.username));
