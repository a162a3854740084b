// The Argon2id PHC string the package stores for a new user, in whichever runtime imports this:
// a MemoryStore, passwords stored unsealed (`main.encrypt_password: false`), two lanes. Each
// runtime's test verifies it with a reference implementation (tests/*/…argon2id…).
export const PASSWORD = 'pässwörd 🔑 made here';
export const PARAMS = { m_cost: 1024, t_cost: 2, p_cost: 2 };

export async function phcFromPackage({ Sso, MemoryStore }) {
  const store = new MemoryStore();
  const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));
  const sso = new Sso({ store, secretKey: key, config: { main: { encrypt_password: false }, argon2: PARAMS } });
  await sso.user.createSuperUser(null, { username: 'argon2-admin', password: PASSWORD });
  const { keys } = await store.list({ prefix: 'sso/user/' });
  for (const { name } of keys) {
    const phc = JSON.parse(await store.get(name))?.password;
    if (typeof phc === 'string' && phc.startsWith('$argon2id$')) return phc;
  }
  throw new Error('no Argon2id hash found in the store');
}
