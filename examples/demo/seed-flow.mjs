// `make demo`: the seed flow of Zato's docs against a file-backed store under .demo/.
// First run bootstraps a super-user and keeps its credentials (and the sealing key) in
// .demo/; later runs log in with them and create the next user.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isAbsolute, relative } from 'node:path';
import { Sso, SsoError } from '../../pkg/entrypoints/node.js';
import { FileStore } from './file-store.mjs';

const dir = process.env.DEMO_DIR ? pathToFileURL(`${process.env.DEMO_DIR}/`) : new URL('../../.demo/', import.meta.url);
mkdirSync(dir, { recursive: true });
const secretsFile = new URL('secrets.json', dir);
/** A file of the demo folder as the reader can use it: relative to here when inside, else absolute. */
const shown = (name) => {
  const abs = fileURLToPath(new URL(name, dir));
  const r = relative(process.cwd(), abs);
  return r && !r.startsWith('..') && !isAbsolute(r) ? r : abs;
};
const firstRun = !existsSync(secretsFile);
const secrets = firstRun
  ? { secretKey: randomBytes(32).toString('base64'), username: 'admin', password: randomBytes(12).toString('base64url') }
  : JSON.parse(readFileSync(secretsFile, 'utf8'));
if (firstRun) writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });

const audit = [];
const sso = new Sso({
  store: new FileStore(new URL('store.json', dir).pathname),
  secretKey: secrets.secretKey,
  audit: (event) => { audit.push(event); },
});
const [app, addr] = ['CRM', '127.0.0.1'];
const show = (title, value) => console.log(`\n== ${title}\n${JSON.stringify(value, null, 2)}`);

try {
  if (firstRun) {
    const id = await sso.user.createSuperUser('demo-bootstrap', { username: secrets.username, password: secrets.password });
    console.log(`Bootstrapped super-user '${secrets.username}' (${id}).`);
    console.log(`Password (kept in ${shown('secrets.json')}, shown this once): ${secrets.password}`);
  } else {
    console.log(`Found ${shown('secrets.json')} from an earlier run: logging in as '${secrets.username}'.`);
  }

  const session = await sso.user.login('demo-login', secrets.username, secrets.password, app, addr, { userAgent: 'make demo' });
  show('login (the UST is sealed; send it back on every call)', { ...session, ust: `${session.ust.slice(0, 24)}…` });

  // The seed's example, with a fresh username on each run.
  let n = 1;
  const taken = (e) => e instanceof SsoError && e.code === 'E001002';
  let data;
  for (;;) {
    data = { username: n === 1 ? 'user1' : `user1.${n}`, password: randomBytes(12).toString('base64url'), password_must_change: true, display_name: 'My User' };
    try {
      await sso.user.createUser('demo-create', data, session.ust, app, addr);
      break;
    } catch (e) {
      if (!taken(e)) throw e;
      n += 1;
    }
  }
  show(`createUser: data, enriched in place (the password is gone from it)`, data);

  const me = await sso.user.getCurrentUser('demo-get-current', session.ust, app, addr);
  show('getCurrentUser (the super-user sees every field)', me);

  const user = await sso.user.getUserById('demo-get-by-id', data.user_id, session.ust, app, addr);
  show(`getUserById('${data.user_id}')`, user);

  await sso.user.logout('demo-logout', session.ust, app, addr);
  const after = await sso.user.getCurrentUser('demo-after', session.ust, app, addr).catch((e) => e);
  console.log(`\nAfter logout the UST is refused: ${after.message}`);
  console.log(`\nAudit log of this run: ${audit.map((e) => e.op).join(', ')}`);
  console.log(`Store: ${shown('store.json')} (emails, TOTP keys and password hashes are sealed there).`);
} catch (e) {
  console.error(`demo failed: ${e.message}`);
  process.exitCode = 1;
}
