// Every sentence the console shows, in one place (translations start here).

/** Every code as a sentence a person can act on. */
export const MESSAGES = {
  E001001: 'A username is required (and may not contain a reserved word or control characters).',
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
  E003007: 'The password must be changed: type a new password below.',
  E004001: 'This application is not allowed here.',
  E005001: 'Not allowed: check the username and password.',
  E005002: 'This account is locked.',
  E005003: 'This account has not confirmed its sign-up.',
  E005004: 'This account is not approved yet.',
  E005008: 'Enter the current code from your authenticator app.',
  E006001: 'This application may not send login details.',
  E007001: 'Your session has ended: log in again.',
  E008001: 'That is not possible: you cannot do this to your own account.',
  E008002: 'Some input was not accepted.',
  E008003: 'Nothing to change.',
  E008004: 'The storage failed: try again.',
  E008005: 'Someone else changed this at the same moment: try again.',
  E009001: 'That attribute exists.',
  E010001: 'That reset token cannot be used.',
};

/** Sentences for one context, where the generic one would mislead. */
export const IN_CONTEXT = {
  // Outside login, E005001 is a refusal, not a wrong password.
  'search:E005001': 'The server refused this search.',
  'users:E005001': 'The server refused this.',
  'totp-off:E005001': 'That password or code is not right.',
  'login-totp:E005001': 'The password or the code is not right: check both (a code changes every 30 seconds).',
};

export const T = {
  transport: (detail) => `The server could not be reached${detail ? ` (${detail})` : ''}. Check that it is running, then try again.`,
  httpStatus: (status) => `The server answered HTTP ${status} instead of the SSO API: check the server address.`,
  inputRefused: (detail) => `Some input was not accepted${detail ? `: ${detail}` : ''}`,
  restSuperUser: 'Super-users are created on the server (make demo prints its credentials).',
  loggedIn: 'Logged in.',
  loggedInExpiring: 'Logged in. Your password expires soon.',
  loggedOut: 'Logged out.',
  sessionEnded: 'Your session has ended (it expired, or was ended elsewhere): log in again.',
  passwordChangedAtLogin: 'Logged in with your new password.',
  newPasswordNeeded: 'Your password must be changed: type a new one, then log in again.',
  superUserCreated: (u) => `Super-user ${u} created: log in.`,
  loggedInAs: (u, isSuper) => `Logged in as ${u}${isSuper ? ' (super-user)' : ''}`,
  usersCaption: (shown, total) => (total === shown ? `${total} ${total === 1 ? 'user' : 'users'}` : `${shown} of ${total} users`),
  pageInfo: (p, n) => `Page ${p} of ${Math.max(n, 1)}`,
  emptyNoUsers: 'No users yet. Create the first one with "Create a user" below.',
  emptyNoMatch: (q) => `No user matches ${q ? `"${q}"` : 'these filters'}. Check the spelling, clear the filters, or search by part of a display name.`,
  searchPlaceholder: (withEmail) => (withEmail ? 'username, display name or email' : 'username or display name'),
  searchHelpNoEmail: 'Email search is off: this server stores emails sealed (main.encrypt_email).',
  truncated: (n) => `Showing the first ${n} matches: narrow the search to see the rest.`,
  created: (u) => `Created ${u}.`,
  createdApproved: (u) => `Created and approved ${u}.`,
  generatedPassword: 'Generated password (shown once: copy it now)',
  copied: 'Copied.',
  copyFailed: 'Could not copy: select the text and copy it yourself.',
  passwordPolicy: (min, sample, n) => `at least ${min} characters, not containing a common password such as ${sample} (${n} in all)`,
  emailFormat: 'That does not look like an email address (name@example.com).',
  done: (action, u) => `${DONE[action]} ${u}.`,
  deleted: (u) => `Deleted ${u}.`,
  saved: (u) => `Saved ${u}.`,
  passwordSet: (u) => `Password set for ${u}; their sessions ended.`,
  newTotpFor: (u) => `New TOTP key for ${u}: give it to them; their old codes no longer work.`,
  confirmDelete: (u) => `${u} and all their sessions and attributes will be deleted. This cannot be undone.`,
  confirmBulk: (action, n) => `${action} ${n} ${n === 1 ? 'user' : 'users'}?`,
  bulkSelfSkipped: 'Your own account is not included: manage it under My account.',
  bulkProgress: (i, n) => `${i} of ${n} done`,
  bulkDone: (action, ok, failed) => `${action}: ${ok} done${failed ? `, ${failed} failed` : ''}.`,
  selected: (n) => `${n} selected`,
  thisIsYou: 'This is your own account: lock, reject, delete and password-change requirement are not offered (change it under My account).',
  sessionRenewed: (t) => `Session renewed until ${t}.`,
  thisSession: 'This session',
  noSessions: 'No sessions.',
  noUserSessions: 'No live sessions.',
  revoke: 'Revoke',
  revoked: (name) => `Ended a session of ${name}.`,
  totpScanThenConfirm: 'Scan the QR code (or type the key) in an authenticator app, then type the code it shows to turn two-factor on.',
  totpWrongCode: 'That code does not match the key shown: check the authenticator app and the device clock, then try the current code.',
  totpOn: 'Two-factor is on: the next login asks for a code.',
  totpOff: 'Two-factor is off.',
  totpOffNeeds: 'To turn two-factor off, type a current code from your authenticator app.',
  totpOffNeedsPassword: 'To turn two-factor off, type your password and a current code.',
  auditRestNote: 'The audit trail of this server, newest first (the demo server\'s extension). Reads are hidden unless you show them.',
  auditLocalNote: 'Records of the audit callback in this page, newest first. Reads are hidden unless you show them.',
  auditUnavailable: 'This server does not offer its audit trail to the console (the demo server does: make demo).',
  auditEmpty: 'No records match these filters.',
  bidi: (cp) => `[U+${cp}]`,
  notRecorded: 'never logged in, or not recorded',
  logOut: 'Log out',
  selectUser: (u) => `Select ${u}`,
  succeeded: 'succeeded',
  failed: (why) => `failed (${why})`,
  userTitle: 'User',
  never: 'never',
  yes: 'yes',
  no: 'no',
};

/** Column names of the tables (also the labels of the card list at narrow widths). */
export const COLUMNS = {
  username: 'Username', display_name: 'Display name', email: 'Email', status: 'Status', created: 'Created', lastLogin: 'Last login',
  session: 'Session', started: 'Started', lastActivity: 'Last activity', expires: 'Expires', address: 'Address', browser: 'Browser',
  time: 'Time', actor: 'Acting user', operation: 'Operation', target: 'Target', outcome: 'Outcome',
};

/** Readable labels for the user fields. */
export const FIELD_LABELS = {
  username: 'Username', display_name: 'Display name', first_name: 'First name', middle_name: 'Middle name', last_name: 'Last name',
  email: 'Email', user_id: 'User ID', is_super_user: 'Super-user', approval_status: 'Approval', approval_status_mod_by: 'Approval changed by',
  approval_status_mod_time: 'Approval changed', approv_rej_time: 'Approved or rejected', approv_rej_by: 'Approved or rejected by',
  is_locked: 'Locked', locked_time: 'Locked since', locked_by: 'Locked by', sign_up_status: 'Sign-up', sign_up_time: 'Created',
  password_must_change: 'Must change password', password_last_set: 'Password last set', password_expiry: 'Password expires',
  is_totp_enabled: 'Two-factor', totp_label: 'Two-factor label', is_active: 'Active', is_internal: 'Internal',
  is_approval_needed: 'Approval needed', password_is_set: 'Password set', creation_ctx: 'Created by', last_login_time: 'Last login',
};

export const APPROVAL = { approved: 'approved', rejected: 'rejected', before_decision: 'pending approval' };
export const SIGN_UP = { final: 'confirmed', before_confirmation: 'awaiting confirmation' };

export const BADGES = {
  approved: 'approved', pending: 'pending', rejected: 'rejected', locked: 'locked', totp: '2FA', mustChange: 'must change password', super: 'super-user',
};

const DONE = { approve: 'Approved', reject: 'Rejected', lock: 'Locked', unlock: 'Unlocked', 'must-change': 'Password change required for' };

export const ACTIONS = {
  approve: 'Approve', reject: 'Reject', lock: 'Lock', unlock: 'Unlock', 'must-change': 'Require password change', totp: 'Reset TOTP key', delete: 'Delete',
};

/** Audit operations, readable; reads are hidden by default. */
export const AUDIT_OPS = {
  'user.login': 'log in', 'user.logout': 'log out', 'user.create_user': 'create user', 'user.create_super_user': 'create super-user',
  'user.update_user_by_id': 'update user', 'user.update_current_user': 'update own account', 'user.delete_user_by_id': 'delete user',
  'user.delete_user_by_username': 'delete user', 'user.approve_user': 'approve', 'user.reject_user': 'reject', 'user.lock_user': 'lock or unlock',
  'user.change_password': 'change password', 'user.reset_totp_key': 'reset TOTP key', 'session.renew': 'renew session',
  'user.get_current_user': 'read own account', 'user.get_user_by_id': 'read user', 'user.search': 'search', 'session.get_list': 'list sessions',
  'session.get': 'read session', 'session.verify': 'verify session',
};
/** Audit operations that only read (hidden from trails by default): the core's audit names. */
export const isReadOp = (op) => /\.(get|search|verify|exists|names|list|to_dict|find_user)/.test(op) || /get_/.test(op);
