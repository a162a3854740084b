// import-zato: Zato's SSO users, with their attributes and linked-auth rows, into edge-sso.
// Sealed values are opened with the operator's Zato secret key (Fernet) and handed in clear to
// sso.admin.importUser, which seals them again with edge-sso's keys; password hashes stay
// Zato's PBKDF2-SHA512 (passlib format) and become Argon2id at each user's first login.
// Idempotent: a user_id already imported is skipped (or overwritten with --update).
// Sessions and session attributes are not carried over: users log in again.
import { Fernet, openZatoValue } from './fernet.js';
import { Progress } from './progress.js';

// zato_sso_user's columns that go into the record as they are (Zato's names, the admin contract's).
const USER_FIELDS = [
  'user_id', 'username', 'display_name', 'first_name', 'middle_name', 'last_name', 'is_active', 'is_internal',
  'is_super_user', 'is_locked', 'locked_time', 'locked_by', 'creation_ctx', 'approval_status',
  'approval_status_mod_time', 'approval_status_mod_by', 'approv_rej_time', 'approv_rej_by', 'password_expiry',
  'password_is_set', 'password_must_change', 'password_last_set', 'sign_up_status', 'sign_up_time',
  'sign_up_confirm_token', 'is_totp_enabled', 'is_rate_limit_active', 'rate_limit_type', 'rate_limit_def',
  'rate_limit_check_parent_def',
];
// passlib's pbkdf2_sha512: $pbkdf2-sha512$<rounds>$<salt, adapted base64>$<checksum, adapted base64>
const PASSLIB_PBKDF2_SHA512 = /^\$pbkdf2-sha512\$\d{1,10}\$[./A-Za-z0-9]+\$[./A-Za-z0-9]+$/;
// Zato's "no expiry" for attributes is the far future (year 9999): edge-sso says that with null.
const NEVER = /^9999-/;

class RowProblem extends Error {}

function open(fernet, value, what) {
  try {
    return openZatoValue(fernet, value);
  } catch (e) {
    throw new RowProblem(`could not open ${what}: ${e.message}`);
  }
}

function attribute(fernet, row) {
  if ((row.serial_method ?? 'json') !== 'json') throw new RowProblem(`attribute ${JSON.stringify(row.name)}: serial_method ${JSON.stringify(row.serial_method)} is not json`);
  let value;
  try {
    value = row.value === null ? null : JSON.parse(row.value);
  } catch {
    throw new RowProblem(`attribute ${JSON.stringify(row.name)}: its value is not JSON`);
  }
  // Zato seals an encrypted attribute's (string) value, then stores the token as a JSON string.
  if (row.is_encrypted) value = open(fernet, value, `attribute ${JSON.stringify(row.name)}`);
  const expiration = row.expiration_time && !NEVER.test(row.expiration_time) ? row.expiration_time : null;
  return { name: row.name, value, expiration_time: expiration, is_encrypted: Boolean(row.is_encrypted) };
}

function linkedAuth(row, secDefUsernames) {
  const authId = row.auth_id === null || row.auth_id === undefined ? null : Number(row.auth_id);
  return {
    auth_type: row.auth_type,
    auth_id: authId,
    auth_username: authId === null ? null : secDefUsernames.get(authId) ?? null,
    is_active: row.is_active,
    is_internal: row.is_internal,
    creation_time: row.creation_time,
    has_ext_principal: row.has_ext_principal,
    auth_principal: row.auth_principal ?? null,
    auth_source: row.auth_source,
  };
}

/**
 * One user's record for sso.admin.importUser, every sealed value opened. `counts` gathers the
 * attribute rows left out (session attributes; attributes already expired).
 */
export function userRecord(fernet, row, attrRows, linkRows, secDefUsernames, counts, now = Date.now()) {
  const record = {};
  for (const f of USER_FIELDS) if (f in row) record[f] = row[f];
  const password = open(fernet, row.password, 'the password hash');
  if (password && !PASSLIB_PBKDF2_SHA512.test(password)) throw new RowProblem('the password is not a passlib pbkdf2-sha512 hash');
  record.password = password || null;
  if ('email' in row) record.email = open(fernet, row.email, 'the email');
  if ('totp_key' in row) record.totp_key = open(fernet, row.totp_key, 'the TOTP key');
  if ('totp_label' in row) record.totp_label = open(fernet, row.totp_label, 'the TOTP label');
  record.attributes = [];
  for (const a of attrRows) {
    if (a.is_session_attr) {
      counts.session_attributes_left_out++;
      continue;
    }
    if (a.expiration_time && !NEVER.test(a.expiration_time) && Date.parse(`${a.expiration_time}Z`) <= now) {
      counts.expired_attributes_left_out++;
      continue;
    }
    record.attributes.push(attribute(fernet, a));
  }
  record.linked_auth = linkRows.map((l) => linkedAuth(l, secDefUsernames));
  return record;
}

/** Why an import of one user failed, without any value from the record. */
function reason(e) {
  if (e instanceof RowProblem) return e.message;
  if (e?.name === 'SsoError') {
    const codes = Array.isArray(e.sub_status) ? e.sub_status : [];
    return codes.includes('E001002') ? 'E001002: the username belongs to another user_id here' : `${codes.join(', ')}: ${e.message}`;
  }
  return e instanceof Error ? `${e.name}: ${e.message}` : 'unexpected failure';
}

/**
 * Imports `zato` (readZatoSso's result) into `sso`. Resolves the summary: counts of imported,
 * updated and skipped users, attributes and links carried over, and the failed users with reasons.
 */
export async function importZato(sso, zato, { zatoSecretKey, update = false, cid = 'cli', stream } = {}) {
  const fernet = new Fernet(zatoSecretKey);
  const summary = {
    total: zato.users.length, imported: 0, updated: 0, skipped: 0, failed: [],
    attributes: 0, linked_auth: 0, session_attributes_left_out: 0, expired_attributes_left_out: 0,
  };
  const progress = new Progress('import-zato', zato.users.length, stream ? { stream } : undefined);
  for (const row of zato.users) {
    try {
      const record = userRecord(fernet, row, zato.attrs.get(row.user_id) ?? [], zato.links.get(row.user_id) ?? [], zato.secDefUsernames, summary);
      const { result } = await sso.admin.importUser(cid, record, { update });
      if (result === 'imported' || result === 'updated' || result === 'skipped') summary[result]++;
      else throw new RowProblem(`unexpected result ${JSON.stringify(result)}`);
      if (result !== 'skipped') {
        summary.attributes += record.attributes.length;
        summary.linked_auth += record.linked_auth.length;
      }
    } catch (e) {
      summary.failed.push({ user_id: row.user_id ?? null, username: row.username ?? null, reason: reason(e) });
    }
    progress.tick();
  }
  progress.finish();
  return summary;
}
