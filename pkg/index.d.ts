/** A key-value store shaped like a Cloudflare KV namespace. Any method may return a Promise. */
export interface Store {
  get(key: string): string | null | Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): unknown;
  delete(key: string): unknown;
  list(options: { prefix: string; cursor?: string; limit?: number }):
    | ListResult
    | Promise<ListResult>;
  /** Optional atomic create: resolves false when the key exists. Used for every uniqueness rule. */
  putIfAbsent?(key: string, value: string, options?: { expirationTtl?: number }): boolean | Promise<boolean>;
  /** Optional (store protocol v2): the values of `keys`, same length and order; null where absent or expired. */
  getMany?(keys: string[]): Array<string | null> | Promise<Array<string | null>>;
  /**
   * Optional (store protocol v2), atomic: when every check holds, applies every put and delete as
   * one step and resolves true; when any check fails, writes nothing and resolves false. Rejects
   * only on a real failure (bad arguments: TypeError; the backend's errors), never for a check.
   */
  commit?(op: StoreCommit): boolean | Promise<boolean>;
}

/**
 * Every store class of the package: the whole protocol (v2), each method a Promise. Each class
 * below merges this interface (`interface X extends AtomicStore {}` beside `class X`), so the
 * methods are declared once.
 */
export interface AtomicStore extends Store {
  get(key: string): Promise<string | null>;
  put(key: string, value: string, options?: { expirationTtl?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  list(options: { prefix: string; cursor?: string; limit?: number }): Promise<ListResult>;
  putIfAbsent(key: string, value: string, options?: { expirationTtl?: number }): Promise<boolean>;
  getMany(keys: string[]): Promise<Array<string | null>>;
  commit(op: StoreCommit): Promise<boolean>;
}

/** A `commit` condition: holds when the key's live value is exactly `value` (null: absent or expired). */
export interface StoreCheck {
  key: string;
  value: string | null;
}

/** A `commit` write, as `put(key, value, { expirationTtl })`. */
export interface StorePut {
  key: string;
  value: string;
  /** Seconds. */
  expirationTtl?: number;
}

/**
 * One atomic `commit`: a key appears at most once among `puts` and `deletes` (a checked key may
 * also be written). The core sends at most 16 checks and 500 puts and deletes.
 */
export interface StoreCommit {
  checks?: StoreCheck[];
  puts?: StorePut[];
  deletes?: string[];
}

export interface ListResult {
  keys: { name: string }[];
  list_complete: boolean;
  cursor?: string;
}

/** One audit record (Zato spec §1.6). Never holds a password, UST, TOTP key or code. */
export interface AuditEvent {
  cid: string;
  op: string;
  current_user?: string;
  target_user?: string;
  result?: string;
  extra: { current_app?: string; remote_addr: string; [key: string]: unknown };
  /** ISO 8601, UTC. */
  time: string;
}

export interface SsoOptions {
  store: Store;
  /** Awaited; if it throws or rejects, the operation fails with E008004 instead of running unrecorded. */
  audit?: (event: AuditEvent) => unknown;
  /** Base64 of 32 bytes, or several (newest first) to rotate keys. */
  secretKey: string | string[];
  /** sso.conf sections in snake_case, merged over Zato's defaults. */
  config?: Record<string, unknown>;
  /** Clock in milliseconds since the epoch (for tests). */
  now?: () => number;
  hooks?: Hooks;
  /** A store call that takes longer fails the operation with E008004 (default 10 000; 0, Infinity or over 2^31 - 1: no limit). */
  storeTimeoutMs?: number;
  /** The host's Basic Auth and JWT definitions users may be linked to (spec §3.18). */
  securityDefinitions?: SecurityDefinitions;
}

/** A Basic Auth user of the host: exactly one of `password` and `password_hash` (PHC: `$argon2id$…` or Zato's `$pbkdf2-sha512$…`). */
export interface BasicAuthDefinition {
  id: string | number;
  username: string;
  password?: string;
  password_hash?: string;
  is_active?: boolean;
}

/** A JSON Web Key with public members only (RSA for RS256, EC P-256 for ES256). */
export interface PublicJwk {
  kty: 'RSA' | 'EC';
  kid?: string;
  alg?: 'RS256' | 'ES256';
  n?: string;
  e?: string;
  crv?: 'P-256';
  x?: string;
  y?: string;
  [member: string]: unknown;
}

/**
 * A JWT issuer: exactly one of `secret` (HS256, at least 32 bytes), `jwk` or `jwks` (RS256 /
 * ES256, chosen by the key's type, never by the token). A token's `sub` (or `username`) must
 * be `username`; `exp` is required.
 */
export interface JwtDefinition {
  id: string | number;
  username: string;
  secret?: string;
  jwk?: PublicJwk;
  jwks?: { keys: PublicJwk[] };
  issuer?: string;
  audience?: string;
  /** Seconds of clock skew allowed on exp, nbf and iat (default 30). */
  clockToleranceSec?: number;
  is_active?: boolean;
}

export interface SecurityDefinitions {
  basic_auth?: BasicAuthDefinition[];
  jwt?: JwtDefinition[];
}

/** One link of `getLinkedAuthList` (spec §3.18). */
export interface LinkedAuth {
  auth_type: 'basic_auth' | 'jwt';
  auth_id: string;
  /** Null when the definition is no longer in `securityDefinitions`. */
  auth_username: string | null;
  is_active: boolean;
  is_internal: boolean;
  creation_time: Date;
  has_ext_principal: boolean;
  auth_principal: string;
  auth_source: string;
  user_id: string;
}

/** What `authenticate` resolves: the linked user's session. */
export interface ExternalSession {
  ust: string;
  user_id: string;
  expiration_time: Date;
  /** True when a live session of this credential was renewed, false when one was made. */
  renewed: boolean;
}

/** One row of Zato's `zato_sso_user`, its sealed values opened (see README "Migrating from Zato"). */
export interface ZatoUserRow {
  user_id: string;
  username: string;
  /** passlib's `$pbkdf2-sha512$…`, kept and upgraded to Argon2id at the first login. */
  password?: string | null;
  [column: string]: unknown;
  attributes?: { name: string; value: unknown; is_encrypted?: boolean | number; expiration_time?: string | null; creation_time?: string | null; last_modified?: string | null }[];
  linked_auth?: { auth_type: string; auth_id: string | number; is_active?: boolean | number; is_internal?: boolean | number; creation_time?: string | null;
    has_ext_principal?: boolean | number; auth_principal?: string; auth_source?: string }[];
}

/**
 * Trusted operations: no UST, no super-user check, app `zato-cli` (the command line's, spec
 * §8.4). Only for code the operator runs, never reachable from a request.
 */
export interface AdminApi {
  /** An approved user by name, or null. */
  findUser(cid: Cid, username: string): Promise<User | null>;
  /** Auto-approved, sign-up final, creator `auto`; resolves the user_id; `data` is enriched in place. */
  createUser(cid: Cid, data: CreateUserData, options?: { superUser?: boolean }): Promise<string>;
  /** Ends every session of the user. `lockedBy` names the operator (default `zato-cli`). */
  lockUser(cid: Cid, userId: string, options?: { lockedBy?: string }): Promise<void>;
  unlockUser(cid: Cid, userId: string): Promise<void>;
  deleteUser(cid: Cid, userId: string): Promise<void>;
  /** No password and no TOTP code (spec §10 O-44, decided); the other login checks apply. */
  login(cid: Cid, username: string, options?: { currentApp?: string; remoteAddr?: string; userAgent?: string }): Promise<LoginResult>;
  logout(cid: Cid, ust: string): Promise<void>;
  /** The password policy applies; every session of the user ends. `expiryDays` 1–36500. */
  setPassword(cid: Cid, userId: string, password: string, options?: { mustChange?: boolean; expiryDays?: number }): Promise<void>;
  /** `key` (checked base-32) or a generated one; resolves the key in use. */
  resetTotpKey(cid: Cid, userId: string, options?: { key?: string; keyLabel?: string }): Promise<string>;
  /** Idempotent: an existing user_id is skipped, or overwritten with `update`. */
  importUser(cid: Cid, row: ZatoUserRow, options?: { update?: boolean }): Promise<{ user_id: string; result: 'imported' | 'updated' | 'skipped' }>;
}

/** The keys `createUser` / `createSuperUser` accept (the seed `User.create` table). */
export interface CreateUserData {
  username: string;
  password?: string;
  password_must_change?: boolean;
  display_name?: string | null;
  first_name?: string | null;
  middle_name?: string | null;
  last_name?: string | null;
  email?: string | null;
  is_locked?: boolean;
  sign_up_status?: 'final' | 'before_confirmation';
  is_totp_enabled?: boolean;
  totp_key?: string;
  totp_label?: string;
  user_id?: string;
  creation_ctx?: unknown;
  is_rate_limit_active?: boolean;
  rate_limit_type?: string;
  rate_limit_def?: string | null;
  rate_limit_check_parent_def?: boolean;
  [enriched: string]: unknown;
}

export interface LoginOptions {
  userAgent?: string;
  totpCode?: string;
  newPassword?: string;
  /** `remoteAddr` came from the client, not the connection: login needs `currentApp` in `apps.login_metadata_allowed` (else E006001). */
  hasRemoteAddr?: boolean;
  /** `userAgent` came from the client's input: as `hasRemoteAddr`. */
  hasUserAgent?: boolean;
  /** The `device_token` this client got at an earlier login of the same user: exempts it from the per-user throttle, so failures from elsewhere cannot lock the owner out. */
  deviceToken?: string;
}

export interface LoginResult {
  /** Sealed user session token: send it back on every call. */
  ust: string;
  user_id: string;
  username: string;
  creation_time: Date;
  expiration_time: Date;
  has_w_about_to_exp: boolean;
  /** Keep it on the client (a cookie, say) and send it as `deviceToken` at its next logins of this user. Sealed; not a credential. */
  device_token: string;
}

/** A user; which fields are present depends on who reads (docs/behaviour.md §2.2). */
export declare class User {
  user_id: string;
  username: string;
  email: string | null;
  display_name: string | null;
  first_name: string | null;
  middle_name: string | null;
  last_name: string | null;
  is_totp_enabled: boolean;
  /** Only when users read themselves. */
  totp_key?: string | null;
  totp_label: string;
  // Super-users only:
  is_active?: boolean;
  is_internal?: boolean;
  is_super_user?: boolean;
  is_locked?: boolean;
  is_approval_needed?: boolean;
  approval_status?: 'approved' | 'rejected' | 'before_decision';
  approval_status_mod_by?: string;
  approval_status_mod_time?: Date;
  locked_time?: Date | null;
  creation_ctx?: string | null;
  locked_by?: string | null;
  approv_rej_time?: Date | null;
  approv_rej_by?: string | null;
  password_expiry?: Date;
  password_is_set?: boolean;
  password_must_change?: boolean;
  password_last_set?: Date;
  sign_up_status?: 'final' | 'before_confirmation';
  sign_up_time?: Date;
  /** Not in Zato: the last successful login (getUserById, search rows); null: never. */
  last_login_time?: Date | null;
  toDict(): Record<string, unknown>;
  toJSON(): Record<string, unknown>;
}

type Cid = string | null | undefined;

export interface UpdateUserData {
  username?: string;
  email?: string | null;
  display_name?: string | null;
  first_name?: string | null;
  middle_name?: string | null;
  last_name?: string | null;
  is_totp_enabled?: boolean;
  totp_label?: string | null;
  // Super-users only:
  is_locked?: boolean;
  password_must_change?: boolean;
  /** An absolute instant (unlike changePassword's days). */
  password_expiry?: Date | string;
  sign_up_status?: 'final' | 'before_confirmation';
  approval_status?: 'approved' | 'rejected' | 'before_decision';
  is_rate_limit_active?: boolean;
  rate_limit_def?: string | null;
}

export interface ChangePasswordData {
  old_password?: string;
  new_password: string;
  user_id?: string;
  /** Days from now. */
  password_expiry?: number;
  must_change?: boolean;
}

export interface SearchCriteria {
  user_id?: string;
  username?: string;
  email?: string;
  display_name?: string;
  first_name?: string;
  middle_name?: string;
  last_name?: string;
  sign_up_status?: string;
  approval_status?: string;
  name_op?: 'and' | 'or';
  is_name_exact?: boolean;
  cur_page?: number;
  page_size?: number;
  paginate?: boolean;
}

export interface SearchResult {
  total: number;
  num_pages: number;
  page_size: number;
  cur_page: number;
  prev_page: number;
  next_page: number | null;
  has_prev_page: boolean;
  has_next_page: boolean;
  result: User[];
}

export interface SignupData {
  username: string;
  password: string;
  email?: string;
  app_list?: string[];
  /**
   * Default `before_confirmation`; `final` signs the user up already confirmed, skipping the
   * email confirmation (as Zato's Python API does). Trusted input only: a host that passes a
   * client's JSON through to `signup` must strip this key. REST sign-up refuses it (E008002).
   */
  sign_up_status?: 'before_confirmation' | 'final';
}

export interface SessionHistoryEntry {
  remote_addr: string | string[];
  user_agent: string | null;
  timestamp_utc: Date;
  ctx_source: 'login' | 'renew';
  idx: number;
}

export interface SessionInfo {
  /** A public handle (the digest of the UST), not a credential. */
  session_id: string;
  creation_time: Date;
  expiration_time: Date;
  remote_addr: string;
  user_agent: string;
  auth_type: string;
  auth_principal: string;
  ext_session_id: string;
  session_state_change_list: SessionHistoryEntry[];
}

export interface Attribute {
  name: string;
  value: unknown;
  creation_time: Date;
  last_modified: Date;
  expiration_time: Date;
  is_encrypted: boolean;
}

export interface AttrItem {
  name: string;
  value?: unknown;
  /** Seconds. */
  expiration?: number;
  encrypt?: boolean;
  user_id?: string;
}

export interface AttrOptions {
  /** Seconds; 0 or none: never expires. */
  expiration?: number;
  encrypt?: boolean;
  decrypt?: boolean;
  /** Another user's attributes (super-users). */
  userId?: string;
}

/** `sso.user.attr`: the trailing arguments are `currentUst, currentApp, remoteAddr, options`. */
export interface UserAttrApi {
  create(cid: Cid, name: string, value: unknown, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  update(cid: Cid, name: string, value: unknown, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  set(cid: Cid, name: string, value: unknown, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  createMany(cid: Cid, data: AttrItem[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  updateMany(cid: Cid, data: AttrItem[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  setMany(cid: Cid, data: AttrItem[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  get(cid: Cid, name: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Attribute | null>;
  get(cid: Cid, names: string[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Record<string, Attribute | null> | Attribute | null>;
  getMany(cid: Cid, names: string[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Record<string, Attribute | null> | Attribute | null>;
  exists(cid: Cid, name: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<boolean>;
  exists(cid: Cid, names: string[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Record<string, boolean> | boolean>;
  existsMany(cid: Cid, names: string[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Record<string, boolean> | boolean>;
  names(cid: Cid, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<string[]>;
  delete(cid: Cid, nameOrNames: string | string[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  deleteMany(cid: Cid, names: string[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  setExpiry(cid: Cid, name: string, expiration: number, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  setExpiryMany(cid: Cid, data: AttrItem[], currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  toDict(cid: Cid, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Record<string, Attribute>>;
}

/** `sso.user.session.attr`: the target session's UST comes before `currentUst`. */
export interface SessionAttrApi {
  create(cid: Cid, name: string, value: unknown, targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  update(cid: Cid, name: string, value: unknown, targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  set(cid: Cid, name: string, value: unknown, targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  createMany(cid: Cid, data: AttrItem[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  updateMany(cid: Cid, data: AttrItem[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  setMany(cid: Cid, data: AttrItem[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  get(cid: Cid, nameOrNames: string | string[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Attribute | Record<string, Attribute | null> | null>;
  exists(cid: Cid, nameOrNames: string | string[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<boolean | Record<string, boolean>>;
  names(cid: Cid, targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<string[]>;
  delete(cid: Cid, nameOrNames: string | string[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  setExpiry(cid: Cid, name: string, expiration: number, targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  getMany(cid: Cid, names: string[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Record<string, Attribute | null> | Attribute | null>;
  existsMany(cid: Cid, names: string[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Record<string, boolean> | boolean>;
  deleteMany(cid: Cid, names: string[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  setExpiryMany(cid: Cid, data: AttrItem[], targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<null>;
  toDict(cid: Cid, targetUst: string, currentUst: string, currentApp: string, remoteAddr: string, options?: AttrOptions): Promise<Record<string, Attribute>>;
}

export interface SessionApi {
  verify(cid: Cid, targetUst: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<boolean>;
  renew(cid: Cid, ust: string, currentApp: string, remoteAddr: string, options?: { userAgent?: string }): Promise<Date>;
  get(cid: Cid, targetUst: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<SessionInfo>;
  /**
   * Not in Zato: the caller's own session (by `session_id`, never the UST) and user (without
   * `totp_key`), in one store round trip; any user may read their own. What a web app's
   * middleware needs per request (`edge-sso/hono`'s `ssoSession`).
   */
  getCurrent(cid: Cid, currentUst: string, currentApp: string, remoteAddr: string): Promise<{ session: SessionInfo; user: User }>;
  getList(cid: Cid, ust: string | null, targetUst: string | null, currentUst: string | null, currentApp: string, remoteAddr: string): Promise<SessionInfo[]>;
  /** Not in Zato: a super-user lists another user's live sessions (by `session_id`, never a UST). */
  getListByUserId(cid: Cid, userId: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<SessionInfo[]>;
  /** Not in Zato: a super-user ends one session of a user; an unknown or ended one is E007001. */
  endById(cid: Cid, userId: string, sessionId: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  readonly attr: SessionAttrApi;
}

export interface UserApi {
  createSuperUser(cid: Cid, data: CreateUserData): Promise<string>;
  createUser(cid: Cid, data: CreateUserData, currentUst: string, currentApp: string, remoteAddr: string, options?: { autoApprove?: boolean }): Promise<undefined>;
  getCurrentUser(cid: Cid, currentUst: string, currentApp: string, remoteAddr: string): Promise<User>;
  getUserById(cid: Cid, userId: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<User>;
  login(cid: Cid, username: string, password: string, currentApp: string, remoteAddr: string, options?: LoginOptions): Promise<LoginResult>;
  logout(cid: Cid, ust: string, currentApp: string, remoteAddr: string): Promise<void>;
  updateCurrentUser(cid: Cid, data: UpdateUserData, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  updateUserById(cid: Cid, userId: string, data: UpdateUserData, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  approveUser(cid: Cid, userId: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  rejectUser(cid: Cid, userId: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  lockUser(cid: Cid, userId: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  unlockUser(cid: Cid, userId: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  deleteUserById(cid: Cid, userId: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  deleteUserByUsername(cid: Cid, username: string, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  changePassword(cid: Cid, data: ChangePasswordData, currentUst: string, currentApp: string, remoteAddr: string): Promise<void>;
  /** Trusted: no UST is checked. `passwordExpiry` in days from now. */
  setPassword(cid: Cid, userId: string, password: string, currentApp: string, remoteAddr: string, options?: { mustChange?: boolean; passwordExpiry?: number }): Promise<void>;
  resetTotpKey(cid: Cid, currentUst: string, currentApp: string, remoteAddr: string, options?: { userId?: string; key?: string; keyLabel?: string }): Promise<string>;
  search(cid: Cid, criteria: SearchCriteria, currentUst: string, currentApp: string, remoteAddr: string): Promise<SearchResult>;
  /**
   * Resolves the confirm token (trusted host code; the `signupCallback` hook gets it too). Over
   * REST the token is in the answer only with `signup.always_return_confirm_token` (on by
   * default, as in Zato).
   */
  signup(cid: Cid, data: SignupData, currentApp: string, remoteAddr: string): Promise<string>;
  confirmSignup(cid: Cid, confirmToken: string, currentApp: string, remoteAddr: string): Promise<void>;
  /** Super-users only; one user per definition (a second link of it is E008001). */
  createLinkedAuth(cid: Cid, ust: string, userId: string, authType: 'basic_auth' | 'jwt' | 'zato.basic_auth' | 'zato.jwt', authUsername: string,
    isActive: boolean, currentApp: string, remoteAddr: string): Promise<{ user_id: string; auth_id: string }>;
  /** Ends the link's external sessions too. */
  deleteLinkedAuth(cid: Cid, ust: string, userId: string, authType: 'basic_auth' | 'jwt' | 'zato.basic_auth' | 'zato.jwt', authUsername: string,
    currentApp: string, remoteAddr: string): Promise<void>;
  /** The caller's own links, or `userId`'s for a super-user. */
  getLinkedAuthList(cid: Cid, ust: string, currentApp: string, remoteAddr: string, userId?: string): Promise<LinkedAuth[]>;
  /** The user linked to a definition (spec §10 O-57 fixed): super-users, or that user. */
  getUserByLinkedAuth(cid: Cid, ust: string, authType: 'basic_auth' | 'jwt' | 'zato.basic_auth' | 'zato.jwt', authUsername: string,
    currentApp: string, remoteAddr: string): Promise<User>;
  readonly session: SessionApi;
  readonly attr: UserAttrApi;
}

export interface TotpApi {
  validateCode(cid: Cid, code: string, currentApp: string, remoteAddr: string, options: { ust: string } | { username: string }): Promise<true>;
  provisioningUri(key: string, account: string, options?: { issuer?: string }): Promise<string>;
}

export interface PasswordResetApi {
  createToken(cid: Cid, credential: string, currentApp: string, remoteAddr: string, options?: { userAgent?: string }): Promise<void>;
  accessToken(cid: Cid, token: string, currentApp: string, remoteAddr: string, options?: { userAgent?: string }): Promise<string>;
  changePassword(cid: Cid, newPassword: string, token: string, resetKey: string, currentApp: string, remoteAddr: string, options?: { userAgent?: string; totpCode?: string }): Promise<void>;
}

export interface PasswordResetMessage {
  user_id: string;
  username: string;
  email: string;
  token: string;
  expiration_time: string;
  from: string;
  subject: string;
  body: string;
  site_name: string;
}

export interface Hooks {
  sessionExpiry?(ctx: { current_app: string; username: string; default_expiry: number }): number | undefined | Promise<number | undefined>;
  validateSignup?(ctx: { username: string; email: string; app_list: string[]; current_app: string }): { is_valid: boolean; sub_status?: string[] } | Promise<{ is_valid: boolean; sub_status?: string[] }>;
  signupCallback?(ctx: { username: string; email: string; app_list: string[]; current_app: string; user_id: string; confirm_token: string }): unknown;
  sendPasswordReset?(message: PasswordResetMessage): unknown;
  /** A host check of every new password (e.g. a k-anonymity breach lookup): false refuses it (E003001). */
  passwordCheck?(password: string): boolean | Promise<boolean>;
}

export interface CleanupReport {
  sessions: number;
  attributes: number;
  reset_tokens: number;
  orphans: number;
  /** Failed-login counters past their time. */
  throttle_counters: number;
}

export declare class Sso {
  constructor(options: SsoOptions);
  readonly user: UserApi;
  /** Trusted operations for the operator's own code (the CLI, migrations). */
  readonly admin: AdminApi;
  /**
   * Spec §3.18: a request with a linked `Authorization: Basic …` or `Bearer <JWT>` gets the
   * linked user's session (renewed while it lives). Null when it carries no such credential.
   * The app comes from `X-Zato-SSO-Current-App` (config `apps.http_header`) or `apps.default`;
   * a JWT user with TOTP on sends the code in `X-Zato-SSO-TOTP-Code` or `totpCode`.
   */
  authenticate(request: Request, options?: { remoteAddr?: string; cid?: string; totpCode?: string }): Promise<ExternalSession | null>;
  readonly totp: TotpApi;
  readonly passwordReset: PasswordResetApi;
  /** Deletes expired sessions, attributes and reset tokens, and orphaned records. */
  cleanup(now?: Date | number): Promise<CleanupReport>;
  /** Spec §3.19: unlocked users whose password expires within the threshold (or has expired). Trusted. */
  passwordExpirySweep(now?: Date | number): Promise<{ username: string; email: string | null; display_name: string | null;
    password_expiry: string; is_password_expired: boolean; is_password_about_to_expire: boolean }[]>;
  /** Not in Zato: the public policy a form may state up front (also REST `GET /zato/sso/policy`). */
  policy(): Promise<{ password: { min_length: number; max_length: number; reject_list: string[]; common_list: boolean };
    username: { max_length: number }; search: { by_email: boolean } }>;
  /** Key rotation: re-seals stored values under the newest key of `secretKey`. Trusted. */
  reseal(): Promise<{ users: number; values: number }>;
  /**
   * Zato's REST API under /zato/sso/ (spec §8). Never throws. `waitUntil` (a Worker's
   * `ctx.waitUntil`) receives work that outlives the response: POST /password/reset answers at
   * once and creates the token afterwards, so its timing tells nothing about the user.
   * A request with a body (or a content-length over 0) whose Content-Type is not
   * `application/json` is refused with 415. A linked Basic Auth or JWT credential stands for
   * the linked user's UST (see `authenticate`), returned in `X-Zato-SSO-UST`.
   */
  fetch(request: Request, options?: { remoteAddr?: string; waitUntil?: (work: Promise<unknown>) => void }): Promise<Response>;
  /**
   * The REST API's OpenAPI 3.1 document, generated from the core's route table (the one
   * `fetch` routes by) with this instance's cookie name. The package ships the default one as
   * `edge-sso/openapi.json`; with config `http.openapi` it is served at `GET /zato/sso/openapi.json`.
   */
  openapi(): OpenApiDocument;
}

/** An OpenAPI 3.1 document (`sso.openapi()`, `edge-sso/openapi.json`). */
export interface OpenApiDocument {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string; license: { name: string; identifier: string } };
  /** `/zato/sso/<endpoint>` to its operations by lower-case method. */
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { schemas: Record<string, object>; responses: Record<string, object>; securitySchemes: Record<string, object> };
}

/** One operation of an {@link OpenApiDocument}. */
export interface OpenApiOperation {
  operationId: string;
  summary: string;
  /** The package's methods that run the same core operations (`sso.user.login`, ...). */
  'x-edge-sso-methods'?: string[];
  parameters?: { name: string; in: 'query'; required: boolean; schema: object }[];
  requestBody?: { required: boolean; content: { 'application/json': { schema: object } } };
  security?: Record<string, string[]>[];
  /** By status; refusals refer to `#/components/responses/Refused`. */
  responses: Record<string, { description: string; content: { 'application/json': { schema: object } } } | { $ref: string }>;
}

/** Every code of spec §7 (src/error.rs; a test checks this list against the core's). */
export type SsoErrorCode =
  'E001001'
  | 'E001002'
  | 'E001003'
  | 'E001004'
  | 'E002001'
  | 'E002002'
  | 'E002003'
  | 'E002004'
  | 'E002005'
  | 'E003001'
  | 'E003002'
  | 'E003003'
  | 'E003004'
  | 'W003005'
  | 'E003006'
  | 'E003007'
  | 'E003008'
  | 'E004001'
  | 'E004002'
  | 'E005001'
  | 'E005002'
  | 'E005003'
  | 'E005004'
  | 'E005005'
  | 'E005006'
  | 'E005007'
  | 'E005008'
  | 'E006001'
  | 'E007001'
  | 'E007002'
  | 'E008001'
  | 'E008002'
  | 'E008003'
  | 'E008004'
  | 'E008005'
  | 'E008006'
  | 'E009001'
  | 'E009002'
  | 'E010001';

/** Every rejection: Zato's codes (`sub_status`) and whether a transport may show them. */
export declare class SsoError extends Error {
  constructor(message: string, subStatus: SsoErrorCode[], reveal: boolean);
  name: 'SsoError';
  status: 'error';
  sub_status: SsoErrorCode[];
  reveal: boolean;
  /** The first code. */
  readonly code: SsoErrorCode;
}

/** The core's operation table, error codes and shared limits (src/api/mod.rs). */
export interface Manifest {
  operations: { name: string; args: string[]; options: string[];
    shape: 'value' | 'void' | 'dates' | 'user' | 'userOrNull' | 'enrich' | 'enrichId' | 'search' | 'attr' | 'date' | 'current' | 'internal' }[];
  codes: { code: SsoErrorCode; name: string }[];
  limits: { max_depth: number; max_nodes: number; max_body_bytes: number };
  /** Result fields that hold a timestamp (resolved as `Date`s). */
  time_fields: string[];
}

/** The manifest the methods of `Sso` are built from. */
export declare function manifest(): Manifest;

export declare class MemoryStore {
  constructor(options?: { now?: () => number });
  readonly size: number;
  entries(): [string, string][];
}
/** The store protocol's methods (MemoryStore has all of them). */
export interface MemoryStore extends AtomicStore {}

export declare class DurableObjectStore {
  constructor(storage: unknown, options?: { now?: () => number });
}
/** The store protocol's methods (DurableObjectStore has all of them). */
export interface DurableObjectStore extends AtomicStore {}

/**
 * Partitioned Durable Objects: the store spread over `shards` objects of the `StoreShard` class,
 * for a worker that runs the core itself (hashing and sealing in every isolate) while staying
 * strongly consistent. A user's records live in one shard; a commit that spans shards is
 * two-phase (prepare, decision in the lowest shard, finish), and a lock left by a worker that
 * died expires after `lockMs` and is settled by asking that shard (presumed abort).
 */
export declare class PartitionedDurableObjectStore {
  constructor(namespace: unknown, options?: { shards?: number; lockMs?: number; name?: string });
  /** The shard a key lives in (0 ≤ n < shards). */
  shardOf(key: string): number;
}
/** The store protocol's methods (PartitionedDurableObjectStore has all of them). */
export interface PartitionedDurableObjectStore extends AtomicStore {}

/**
 * The Durable Object class behind `PartitionedDurableObjectStore`: export it (or a subclass)
 * from the worker and bind it; `env[binding]` (default `SSO_SHARDS`) must be that namespace.
 */
export declare class StoreShard {
  constructor(state: unknown, env: unknown, options?: { binding?: string });
  fetch(request: Request): Promise<Response>;
}

/** The part of a key that decides its shard: a user's keys share one, an email's links one. */
export declare function routingKey(key: string): string;

/**
 * Cloudflare D1 (`env.DB`): one table `(k TEXT PRIMARY KEY, v TEXT NOT NULL, e INTEGER)`, created by
 * `open` when missing (or by the shipped migration `migrations/0001_edge_sso.sql`). Strongly
 * consistent; `putIfAbsent` is one conditional upsert, `commit` one `db.batch()` (one transaction)
 * whose guard statement aborts it when a check does not hold.
 */
export declare class D1Store {
  constructor(db: unknown, options?: { table?: string; now?: () => number });
  /** Creates the table if it is missing: `await D1Store.open(env.DB)`. */
  static open(db: unknown, options?: { table?: string; now?: () => number }): Promise<D1Store>;
}
/** The store protocol's methods (D1Store has all of them). */
export interface D1Store extends AtomicStore {}

export declare class DenoKvStore {
  constructor(kv: unknown, options?: { root?: string; now?: () => number });
}
/** The store protocol's methods (DenoKvStore has all of them). */
export interface DenoKvStore extends AtomicStore {}

export declare class IndexedDbStore {
  constructor(db: unknown, options?: { storeName?: string; now?: () => number });
  static open(name?: string, options?: { storeName?: string; now?: () => number; indexedDB?: unknown }): Promise<IndexedDbStore>;
}
/** The store protocol's methods (IndexedDbStore has all of them). */
export interface IndexedDbStore extends AtomicStore {}

/**
 * A `(req, res)` handler for `node:http`'s `createServer` or Express: the request goes to
 * `sso.fetch`. A GET's JSON body (as Zato's `requests`-based clients send inputs) becomes query
 * parameters, the URL's own parameters winning. `remoteAddr(req)` gives the client's address
 * (default: the socket's).
 */
export declare function toNodeHandler(
  sso: Sso,
  options?: { remoteAddr?: (req: any) => string },
): (req: any, res: any) => void;
