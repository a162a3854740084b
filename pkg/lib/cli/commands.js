// The commands: Zato's `zato sso` commands (spec §8.4) with their options and meanings, plus
// import-zato. Each runs trusted through sso.admin (cid `cli`, app `zato-cli`) and resolves
// { text, data }: the line(s) printed, and the object --json prints.
import { randomBytes } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { readFileSync } from 'node:fs';
import { CliError, EXIT } from './exit-codes.js';
import { askHidden, askLine, isYes } from './prompt.js';
import { secretFrom, secretFromStream, secretOptions } from './secrets.js';

export const CID = 'cli';

const personOptions = {
  email: { type: 'string', help: "the person's email" },
  'display-name': { type: 'string', help: "the person's display name" },
  'first-name': { type: 'string', help: "the person's first name" },
  'middle-name': { type: 'string', help: "the person's middle name" },
  'last-name': { type: 'string', help: "the person's last name" },
  ...secretOptions('password', 'the password', 'asked for, hidden, when not given and stdin is a terminal'),
};
const passwordOptions = { password: personOptions.password, 'password-file': personOptions['password-file'] };
const expiryOption = { expiry: { type: 'string', help: "the password's expiry in days from now, an integer 1 to 36500 (default: password.expiry, 730)" } };
const mustChangeOption = { 'must-change': { type: 'string', help: 'true or false: whether the password must be changed at the next login' } };

/** Zato's lookup (spec §8.4): approved users only; otherwise exit 22. */
async function approvedUser(ctx, username) {
  const user = await ctx.sso.admin.findUser(CID, username);
  if (!user) throw new CliError(EXIT.NO_SUCH_USER, `no such SSO user: ${username}`);
  return user;
}

const operator = () => {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry for this uid (some containers): the host still says where it came from
  }
  return `${name}@${hostname()}`;
};

function parseExpiry(value) {
  if (value === undefined) return undefined;
  // O-46: Zato passed the string on and crashed; here it is a whole number of days, or usage.
  if (!/^\d{1,5}$/.test(value) || Number(value) < 1 || Number(value) > 36_500) {
    throw new CliError(EXIT.USAGE, `--expiry takes a whole number of days, 1 to 36500, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

function parseBool(name, value) {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (['true', 'yes', 'on', '1', 'y', 't'].includes(v)) return true;
  if (['false', 'no', 'off', '0', 'n', 'f'].includes(v)) return false;
  throw new CliError(EXIT.USAGE, `--${name} takes true or false, not ${JSON.stringify(value)}`);
}

/** A new password typed twice on the terminal; undefined when stdin is not one. */
async function askNewPassword() {
  const first = await askHidden('Password: ');
  if (first === null) return undefined;
  const again = await askHidden('Password (again): ');
  if (again !== first) throw new CliError(EXIT.USAGE, 'the two passwords differ');
  return first;
}

async function passwordFrom(options) {
  const password = (await secretFrom(options, 'password', { ask: askNewPassword })) ?? (await askNewPassword());
  if (password === undefined) {
    throw new CliError(EXIT.USAGE, '--password is required (stdin is not a terminal to ask on): give --password-file PATH, or --password - to read it from stdin');
  }
  return password;
}

/** A secret typed once on the terminal, hidden. */
const askSecret = (question) => async () => (await askHidden(question)) ?? undefined;

/** The options that were given: the core refuses keys it does not know, and undefined ones. */
const definedOnly = (o) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Zato's `secret(192)`: 24 random bytes, url-safe base64 (32 characters). */
const generatedPassword = () => randomBytes(24).toString('base64url');

function createCommand(name, superUser) {
  return {
    name,
    summary: superUser ? 'Creates a super-user, approved at once (no other super-user needed)' : 'Creates a regular user, approved at once',
    positionals: ['username'],
    options: personOptions,
    async run(ctx, [username], o) {
      if (await ctx.sso.admin.findUser(CID, username)) throw new CliError(EXIT.USER_EXISTS, `user exists: ${username}`);
      const data = { username, password: await passwordFrom(o) };
      for (const [opt, field] of [['email', 'email'], ['display-name', 'display_name'], ['first-name', 'first_name'], ['middle-name', 'middle_name'], ['last-name', 'last_name']]) {
        if (o[opt] !== undefined) data[field] = o[opt];
      }
      const userId = await ctx.sso.admin.createUser(CID, data, { superUser });
      return {
        text: `Created ${superUser ? 'super-user' : 'user'} \`${username}\` (${userId})`,
        data: { user_id: userId, username, is_super_user: superUser },
      };
    },
  };
}

export const COMMANDS = [
  createCommand('create-user', false),
  createCommand('create-super-user', true),
  {
    name: 'delete-user',
    summary: 'Deletes a user (asks first, unless --yes)',
    positionals: ['username'],
    options: { yes: { type: 'boolean', help: 'do not ask for confirmation' } },
    async run(ctx, [username], o) {
      const user = await approvedUser(ctx, username);
      if (!o.yes && !isYes(await askLine(`Delete user \`${username}\`? [y/N] `))) {
        throw new CliError(EXIT.NOT_CONFIRMED, `not confirmed: user \`${username}\` kept intact`);
      }
      await ctx.sso.admin.deleteUser(CID, user.user_id);
      return { text: `Deleted user \`${username}\``, data: { user_id: user.user_id, username } };
    },
  },
  {
    name: 'lock-user',
    summary: 'Locks an account: the person may not log in',
    positionals: ['username'],
    options: {},
    async run(ctx, [username]) {
      const user = await approvedUser(ctx, username);
      const lockedBy = operator();
      await ctx.sso.admin.lockUser(CID, user.user_id, { lockedBy });
      return { text: `Locked user account \`${username}\``, data: { user_id: user.user_id, username, locked_by: lockedBy } };
    },
  },
  {
    name: 'unlock-user',
    summary: 'Unlocks an account',
    positionals: ['username'],
    options: {},
    async run(ctx, [username]) {
      const user = await approvedUser(ctx, username);
      await ctx.sso.admin.unlockUser(CID, user.user_id);
      return { text: `Unlocked user account \`${username}\``, data: { user_id: user.user_id, username } };
    },
  },
  {
    name: 'login',
    summary: 'Logs a user in without a password (or TOTP code) and prints the session: its UST is a credential',
    positionals: ['username'],
    options: {},
    async run(ctx, [username]) {
      await approvedUser(ctx, username);
      // The device token (a browser's brute-force allowance) means nothing to a shell: left out.
      const { device_token: _deviceToken, ...session } = await ctx.sso.admin.login(CID, username, { remoteAddr: '127.0.0.1', userAgent: `Zato CLI ${hostname()}` });
      const lines = Object.entries(session).map(([k, v]) => `  ${k}: ${v instanceof Date ? v.toISOString() : typeof v === 'object' ? JSON.stringify(v) : v}`);
      return { text: `User \`${username}\` logged in\n${lines.join('\n')}`, data: { username, session } };
    },
  },
  {
    name: 'logout',
    summary: 'Logs a session out by its UST (`-`: the first line of stdin, kept out of ps and shell history)',
    positionals: ['ust'],
    options: {},
    async run(ctx, [given]) {
      const ust = given !== '-' ? given : process.stdin.isTTY ? await askSecret('UST: ')() : await secretFromStream(process.stdin, 'logout');
      if (!ust) throw new CliError(EXIT.USAGE, 'logout: no UST given');
      await ctx.sso.admin.logout(CID, ust);
      return { text: 'User logged out by UST', data: {} };
    },
  },
  {
    name: 'change-user-password',
    summary: "Sets a user's password to the one given (reset-user-password generates one)",
    positionals: ['username'],
    options: { ...passwordOptions, ...expiryOption, ...mustChangeOption },
    async run(ctx, [username], o) {
      const expiryDays = parseExpiry(o.expiry);
      const mustChange = parseBool('must-change', o['must-change']);
      const user = await approvedUser(ctx, username);
      const password = await passwordFrom(o);
      await ctx.sso.admin.setPassword(CID, user.user_id, password, definedOnly({ mustChange, expiryDays }));
      return { text: `Changed password for user \`${username}\``, data: { user_id: user.user_id, username } };
    },
  },
  {
    name: 'reset-user-password',
    summary: "Sets a generated password and prints it (change-user-password takes one)",
    positionals: ['username'],
    options: { ...expiryOption, ...mustChangeOption },
    async run(ctx, [username], o) {
      const expiryDays = parseExpiry(o.expiry);
      const mustChange = parseBool('must-change', o['must-change']);
      const user = await approvedUser(ctx, username);
      const password = generatedPassword();
      await ctx.sso.admin.setPassword(CID, user.user_id, password, definedOnly({ mustChange, expiryDays }));
      return { text: `Password for user \`${username}\` reset to ${password}`, data: { user_id: user.user_id, username, password } };
    },
  },
  {
    name: 'reset-totp-key',
    summary: "Resets a user's TOTP key; prints it only when it was generated",
    positionals: ['username'],
    options: {
      ...secretOptions('key', 'the new key, base32 (checked by computing a code with it)', 'generated (and printed) when not given'),
      'key-label': { type: 'string', help: "the key's label in authenticator apps (default: the configured default label)" },
    },
    async run(ctx, [username], o) {
      const given = await secretFrom(o, 'key', { ask: askSecret('TOTP key: ') });
      const user = await approvedUser(ctx, username);
      const opts = {};
      if (given !== undefined) opts.key = given;
      if (o['key-label'] !== undefined) opts.keyLabel = o['key-label'];
      const key = await ctx.sso.admin.resetTotpKey(CID, user.user_id, opts);
      const generated = given === undefined;
      return {
        text: generated ? `TOTP key for user \`${username}\` reset to ${key}` : `TOTP key for user \`${username}\` reset`,
        data: { user_id: user.user_id, username, ...(generated ? { key } : {}) },
      };
    },
  },
  {
    name: 'import-zato',
    summary: "Imports users, their attributes and linked-auth rows from Zato's SSO database (SQLite file or PostgreSQL URL)",
    positionals: ['zato-database'],
    options: {
      'zato-secret-key-file': { type: 'string', help: "a file holding Zato's secret key (secrets.conf, secret_keys.key1); or set ZATO_SECRET_KEY" },
      update: { type: 'boolean', help: 'overwrite users imported before (default: skip them)' },
    },
    async run(ctx, [source], o) {
      const zatoKey = o['zato-secret-key-file'] !== undefined ? readSecretFile(o['zato-secret-key-file'], '--zato-secret-key-file') : process.env.ZATO_SECRET_KEY;
      if (!zatoKey) throw new CliError(EXIT.USAGE, "import-zato needs Zato's secret key: set ZATO_SECRET_KEY or give --zato-secret-key-file");
      const { Fernet } = await import('./fernet.js');
      try {
        new Fernet(zatoKey); // checked before the database is read
      } catch (e) {
        throw new CliError(EXIT.USAGE, `Zato's secret key: ${e.message}`);
      }
      const { openZatoDatabase, readZatoSso } = await import('./zato-reader.js');
      const { importZato } = await import('./import-zato.js');
      const db = await openZatoDatabase(source);
      let zato;
      try {
        zato = await readZatoSso(db);
      } finally {
        await db.close();
      }
      const summary = await importZato(ctx.sso, zato, { zatoSecretKey: zatoKey, update: Boolean(o.update), cid: CID });
      const lines = [
        `Zato users: ${summary.total}; imported ${summary.imported}, updated ${summary.updated}, skipped ${summary.skipped}, failed ${summary.failed.length}`,
        `attributes carried over: ${summary.attributes}; linked-auth rows: ${summary.linked_auth}`,
      ];
      if (summary.session_attributes_left_out || summary.expired_attributes_left_out) {
        lines.push(`left out: ${summary.session_attributes_left_out} session attributes (sessions do not move), ${summary.expired_attributes_left_out} expired attributes`);
      }
      for (const f of summary.failed) lines.push(`  failed: ${f.username ?? '?'} (${f.user_id ?? '?'}): ${f.reason}`);
      return { text: lines.join('\n'), data: summary, exitCode: summary.failed.length ? EXIT.IMPORT_INCOMPLETE : EXIT.OK };
    },
  },
];

/** A secret from a file: its contents without the surrounding whitespace. */
export function readSecretFile(path, option) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(EXIT.USAGE, `${option} ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  const value = text.trim();
  if (!value) throw new CliError(EXIT.USAGE, `${option} ${path} is empty`);
  return value;
}
