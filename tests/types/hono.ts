// Type-checks edge-sso/hono: c.get('ssoUser') is typed from the middleware's variables, a guard
// makes it non-null, and misuse does not compile (each @ts-expect-error must find its error).
import { Hono } from 'hono';
import { Sso, MemoryStore, type User } from 'edge-sso';
import {
  mountSso, ssoSession, requireUser, requireSuperUser, sessionUst, defaultRemoteAddr,
  type SsoEnv, type SsoVariables, type SsoSession, type SsoSessionSource,
} from 'edge-sso/hono';

const sso = new Sso({ store: new MemoryStore(), secretKey: 'a2V5' });

// Variables declared on the app, beside the app's own.
const app = new Hono<{ Bindings: { SSO_APP: string }; Variables: SsoVariables & { requestId: string } }>();
const mounted: typeof app = mountSso(app, sso, { remoteAddr: (c) => c.req.header('x-real-ip') ?? '' });
void mounted;
app.use('*', ssoSession(sso, { currentApp: (c) => c.req.header('x-app') ?? 'CRM' }));

app.get('/', (c) => {
  const user: User | null = c.get('ssoUser');
  const session: SsoSession | null = c.get('ssoSession');
  const source: SsoSessionSource | undefined = session?.source;
  const owner: string | undefined = session?.user_id;
  const id: string = c.get('requestId');
  // @ts-expect-error without a guard the user may be null
  const name: string = c.get('ssoUser').username;
  // @ts-expect-error no such variable
  c.get('ssoUsr');
  // @ts-expect-error a user is no string
  const wrong: string = c.get('ssoUser');
  void user; void source; void owner; void id; void name; void wrong;
  return c.json({ addr: defaultRemoteAddr(c), ust: sessionUst(c) !== null });
});

// After a guard: never null, on the app that declares the variables ...
app.get('/admin', requireSuperUser(), (c) => c.text(c.get('ssoUser').username + c.get('requestId')));

// ... and on an app that declares nothing.
const plain = new Hono();
plain.get('/me', requireUser(), (c) => {
  const username: string = c.get('ssoUser').username;
  const owner: string = c.get('ssoSession').user_id;
  const superUser: boolean | undefined = c.get('ssoUser').is_super_user;
  // @ts-expect-error User has no such field
  c.get('ssoUser').password;
  return c.json({ username, owner, superUser });
});
plain.get('/admin', requireSuperUser(), (c) => c.text(c.get('ssoUser').username));

const env: SsoEnv = { Variables: { ssoUser: null, ssoSession: null } };
void env;
// @ts-expect-error currentApp is required
ssoSession(sso, {});
// @ts-expect-error remoteAddr is a function of the context
mountSso(app, sso, { remoteAddr: '10.0.0.1' });
