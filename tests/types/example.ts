// Type-checks (tsc --noEmit --strict) an example that uses every type edge-sso exports.
import {
  Sso, SsoError, User, MemoryStore, DurableObjectStore, DenoKvStore, IndexedDbStore,
  type Store, type ListResult, type AuditEvent, type SsoOptions, type CreateUserData, type LoginOptions,
  type LoginResult, type UpdateUserData, type ChangePasswordData, type SearchCriteria, type SearchResult,
  type SignupData, type SessionInfo, type SessionHistoryEntry, type Attribute, type AttrItem, type AttrOptions,
  type UserApi, type SessionApi, type UserAttrApi, type SessionAttrApi, type TotpApi, type PasswordResetApi,
  type PasswordResetMessage, type Hooks, type CleanupReport, type StoreCheck, type StorePut, type StoreCommit,
  type AdminApi, type SecurityDefinitions, type LinkedAuth, type ExternalSession, type ZatoUserRow,
} from 'edge-sso';

// Linked authentication and the trusted admin API.
async function linkedAndAdmin(sso: Sso, ust: string): Promise<void> {
  const defs: SecurityDefinitions = {
    basic_auth: [{ id: 1, username: 'svc', password_hash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' }],
    jwt: [{ id: 'issuer-1', username: 'svc-jwt', jwks: { keys: [{ kty: 'RSA', n: 'n', e: 'AQAB', kid: 'k1' }] }, audience: 'edge-sso' }],
  };
  void defs;
  const link: { user_id: string; auth_id: string } = await sso.user.createLinkedAuth(null, ust, 'zusr1', 'basic_auth', 'svc', true, 'CRM', '10.0.0.1');
  const links: LinkedAuth[] = await sso.user.getLinkedAuthList(null, ust, 'CRM', '10.0.0.1', link.user_id);
  const when: Date = links[0].creation_time;
  void when;
  await sso.user.deleteLinkedAuth(null, ust, 'zusr1', 'jwt', 'svc-jwt', 'CRM', '10.0.0.1');
  const ext: ExternalSession | null = await sso.authenticate(new Request('https://x/'), { remoteAddr: '10.0.0.1' });
  if (ext) { const renewed: boolean = ext.renewed; void renewed; }
  const admin: AdminApi = sso.admin;
  const found: User | null = await admin.findUser('cli', 'alice');
  const id: string = await admin.createUser('cli', { username: 'bob', password: 'bob passphrase' }, { superUser: false });
  await admin.lockUser('cli', id, { lockedBy: 'root@host' });
  await admin.setPassword('cli', id, 'new passphrase', { mustChange: true, expiryDays: 30 });
  const key: string = await admin.resetTotpKey('cli', id, { keyLabel: 'phone' });
  const session: LoginResult = await admin.login('cli', 'bob', { userAgent: 'Zato CLI' });
  await admin.logout('cli', session.ust);
  const row: ZatoUserRow = { user_id: 'zusr2', username: 'carol', password: '$pbkdf2-sha512$1000$c2FsdA$aGFzaA', attributes: [{ name: 'a', value: 1 }] };
  const imported: { result: 'imported' | 'updated' | 'skipped' } = await admin.importUser('cli', row, { update: true });
  void found; void key; void imported;
  await admin.deleteUser('cli', id);
}
void linkedAndAdmin;

const kvLike: Store = {
  get: async (key: string) => (key ? null : null),
  put: async () => {},
  delete: async () => {},
  list: async (): Promise<ListResult> => ({ keys: [{ name: 'a' }], list_complete: true }),
};

// Store protocol v2: a host store with getMany and an atomic commit.
const hostValues = new Map<string, string>();
const v2Store: Store = {
  get: (key) => hostValues.get(key) ?? null,
  put: (key, value) => { hostValues.set(key, value); },
  delete: (key) => hostValues.delete(key),
  list: ({ prefix }) => ({ keys: [...hostValues.keys()].filter((k) => k.startsWith(prefix)).map((name) => ({ name })), list_complete: true }),
  getMany: async (keys: string[]) => keys.map((k) => hostValues.get(k) ?? null),
  commit: ({ checks = [], puts = [], deletes = [] }: StoreCommit) => {
    if (!checks.every((c: StoreCheck) => (hostValues.get(c.key) ?? null) === c.value)) return false;
    puts.forEach((p: StorePut) => hostValues.set(p.key, p.value));
    deletes.forEach((k) => hostValues.delete(k));
    return true;
  },
};

const hooks: Hooks = {
  sessionExpiry: ({ username }) => (username === 'admin' ? 15 : undefined),
  validateSignup: async ({ username }) => ({ is_valid: !username.includes('bot'), sub_status: ['E001001'] }),
  signupCallback: ({ confirm_token }) => confirm_token.length,
  sendPasswordReset: async (m: PasswordResetMessage) => m.token,
};

const options: SsoOptions = {
  store: new MemoryStore({ now: () => Date.now() }),
  audit: async (e: AuditEvent) => { void e.extra.remote_addr; },
  secretKey: ['a', 'b'],
  config: { password: { min_length: 12 } },
  now: () => Date.now(),
  hooks,
};

async function main(): Promise<void> {
  const sso = new Sso(options);
  const other = new Sso({ store: kvLike, secretKey: 'x' });
  const users: UserApi = sso.user;
  const sessions: SessionApi = users.session;
  const attrs: UserAttrApi = users.attr;
  const sessionAttrs: SessionAttrApi = sessions.attr;
  const totp: TotpApi = sso.totp;
  const reset: PasswordResetApi = sso.passwordReset;

  const data: CreateUserData = { username: 'u', password: 'p', display_name: 'U' };
  const id: string = await users.createSuperUser(null, data);
  const opts: LoginOptions = { userAgent: 'ua', totpCode: '123456', hasUserAgent: true, hasRemoteAddr: false };
  const login: LoginResult = await users.login('cid', 'u', 'p', 'CRM', '10.0.0.1', opts);
  const ust: string = login.ust;
  const expires: Date = login.expiration_time;
  await users.createUser(null, { username: 'v' }, ust, 'CRM', '', { autoApprove: true });
  const me: User = await users.getCurrentUser(null, ust, 'CRM', '');
  const when: Date | undefined = me.sign_up_time;
  const json: Record<string, unknown> = me.toJSON();
  await users.getUserById(null, id, ust, 'CRM', '');
  const update: UpdateUserData = { display_name: 'New', password_expiry: new Date(), approval_status: 'approved' };
  await users.updateCurrentUser(null, update, ust, 'CRM', '');
  await users.updateUserById(null, id, update, ust, 'CRM', '');
  await users.approveUser(null, id, ust, 'CRM', '');
  await users.rejectUser(null, id, ust, 'CRM', '');
  await users.lockUser(null, id, ust, 'CRM', '');
  await users.unlockUser(null, id, ust, 'CRM', '');
  const change: ChangePasswordData = { old_password: 'a', new_password: 'b', password_expiry: 10, must_change: false };
  await users.changePassword(null, change, ust, 'CRM', '');
  await users.setPassword(null, id, 'x', 'CRM', '', { mustChange: true, passwordExpiry: 30 });
  const key: string = await users.resetTotpKey(null, ust, 'CRM', '', { keyLabel: 'phone' });
  const criteria: SearchCriteria = { display_name: 'x', is_name_exact: false, page_size: 10 };
  const found: SearchResult = await users.search(null, criteria, ust, 'CRM', '');
  const first: User | undefined = found.result[0];
  const signup: SignupData = { username: 'w', password: 'p', app_list: ['CRM'], sign_up_status: 'before_confirmation' };
  const token: string = await users.signup(null, signup, 'CRM', '');
  await users.confirmSignup(null, token, 'CRM', '');
  const valid: boolean = await sessions.verify(null, ust, ust, 'CRM', '');
  const renewed: Date = await sessions.renew(null, ust, 'CRM', '', { userAgent: 'ua' });
  const info: SessionInfo = await sessions.get(null, ust, ust, 'CRM', '');
  const list: SessionInfo[] = await sessions.getList(null, ust, null, null, 'CRM', '');
  const history: SessionHistoryEntry[] = list[0]?.session_state_change_list ?? [];
  const attrOptions: AttrOptions = { expiration: 60, encrypt: false, userId: id };
  await attrs.create(null, 'n', { any: 'json' }, ust, 'CRM', '', attrOptions);
  const items: AttrItem[] = [{ name: 'a', value: 1 }, { name: 'b', value: 'x', encrypt: true }];
  await attrs.createMany(null, items, ust, 'CRM', '');
  const attribute: Attribute | null = await attrs.get(null, 'n', ust, 'CRM', '');
  const exists: boolean = await attrs.exists(null, 'n', ust, 'CRM', '');
  const names: string[] = await attrs.names(null, ust, 'CRM', '');
  await attrs.delete(null, ['a', 'b'], ust, 'CRM', '');
  await sessionAttrs.set(null, 'cart', [1], ust, ust, 'CRM', '');
  const carts = await sessionAttrs.getMany(null, ['cart', 'wish'], ust, ust, 'CRM', '');
  await sessionAttrs.existsMany(null, ['cart'], ust, ust, 'CRM', '');
  await sessionAttrs.setExpiryMany(null, [{ name: 'cart', expiration: 60 }], ust, ust, 'CRM', '');
  await sessionAttrs.deleteMany(null, ['cart', 'wish'], ust, ust, 'CRM', '');
  void carts;
  await totp.validateCode(null, '123456', 'CRM', '', { username: 'u' });
  const uri: string = await totp.provisioningUri(key, 'u', { issuer: 'ACME' });
  await reset.createToken(null, 'u', 'CRM', '');
  const resetKey: string = await reset.accessToken(null, 'token', 'CRM', '');
  await reset.changePassword(null, 'new', 'token', resetKey, 'CRM', '');
  const report: CleanupReport = await sso.cleanup(new Date());
  const response: Response = await sso.fetch(new Request('http://x/zato/sso/user'), { remoteAddr: '127.0.0.1' });
  await users.logout(null, ust, 'CRM', '');
  try {
    await other.user.getCurrentUser(null, 'x', 'CRM', '');
  } catch (e) {
    if (e instanceof SsoError) {
      const codes: string[] = e.sub_status;
      const shown: boolean = e.reveal;
      const code: string = e.code;
      void [codes, shown, code];
    }
  }
  // A host's own refusal in the same shape (for example from a hook wrapper).
  const own: SsoError = new SsoError('not allowed', ['E005001'], false);
  void own;
  const stores: Store[] = [new DurableObjectStore({}), new DenoKvStore({}), await IndexedDbStore.open('db')];
  const memory = new MemoryStore();
  const counter: (string | null)[] = await memory.getMany(['counter']);
  const op: StoreCommit = { checks: [{ key: 'counter', value: counter[0] }], puts: [{ key: 'counter', value: '1', expirationTtl: 60 }], deletes: [] };
  const committed: boolean = await memory.commit(op);
  const batched: boolean[] = await Promise.all([new DurableObjectStore({}).commit(op), new DenoKvStore({}).commit({}), (await IndexedDbStore.open('db')).commit({ deletes: ['x'] })]);
  stores.push(v2Store);
  void [expires, when, json, first, valid, renewed, info, history, attribute, exists, names, uri, report, response, stores, committed, batched];
}

void main;
