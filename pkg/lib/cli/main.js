// `npx edge-sso <command> [options]`: parses the command line, opens the store, builds a trusted
// Sso, runs the command, prints its result (text, or one JSON object with --json) and resolves
// the exit code (exit-codes.js). Errors go to stderr as text, or to stdout as JSON with --json.
import { appendFileSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CliError, EXIT, EXIT_NAMES, exitCodeForSso } from './exit-codes.js';
import { COMMANDS, readSecretFile } from './commands.js';

const GLOBAL_OPTIONS = {
  store: { type: 'string', help: 'file:PATH | postgres:URL | denokv:PATH|URL | wrangler:BINDING (or set SSO_STORE)' },
  'secret-key-file': { type: 'string', help: "a file holding edge-sso's secret key (base64 of 32 bytes, or a JSON array of keys, newest first); or set SSO_SECRET_KEY" },
  config: { type: 'string', help: 'a JSON file with the sso.conf settings (the Sso `config` option)' },
  'audit-log': { type: 'string', help: 'append the audit records, one JSON object a line, to this file' },
  remote: { type: 'boolean', help: 'wrangler: the deployed KV namespace or D1 database instead of the local state' },
  'persist-to': { type: 'string', help: 'wrangler: the local state folder (default .wrangler/state/v3)' },
  'wrangler-config': { type: 'string', help: 'wrangler: the config file (default wrangler.toml / .json / .jsonc here)' },
  env: { type: 'string', help: "wrangler: the config's environment" },
  json: { type: 'boolean', help: 'print one JSON object (result or error) on stdout' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

const byName = new Map(COMMANDS.map((c) => [c.name, c]));

function optionLines(options) {
  return Object.entries(options).map(([name, o]) => {
    const flag = `--${name}${o.type === 'string' ? ' VALUE' : ''}`;
    return `  ${flag.padEnd(30)} ${o.help}`;
  });
}

function exitCodeLines() {
  return [
    'Exit codes:',
    '  0 ok   1 refused for another reason (the code is printed)   2 bad usage',
    '  20 user exists   21 validation error (the codes are printed)   22 no such SSO user',
    '  23 store failure   24 not confirmed   25 optional package missing   26 import finished with failures',
  ];
}

export function generalHelp() {
  return [
    'Usage: edge-sso <command> [arguments] [options]',
    '',
    "Zato SSO's administrative commands, run trusted (cid `cli`, app `zato-cli`) on an edge-sso store.",
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(22)} ${c.summary}`),
    '',
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    ...exitCodeLines(),
    '',
    '`edge-sso <command> --help` shows a command\'s arguments and options.',
  ].join('\n');
}

export function commandHelp(c) {
  return [
    `Usage: edge-sso ${c.name} ${c.positionals.map((p) => `<${p}>`).join(' ')} [options]`,
    '',
    c.summary,
    '',
    ...(Object.keys(c.options).length ? ['Options:', ...optionLines(c.options), ''] : []),
    'Options of every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    ...exitCodeLines(),
  ].join('\n');
}

const usage = (message) => new CliError(EXIT.USAGE, message);

function parse(command, argv) {
  const options = {};
  for (const [name, o] of Object.entries({ ...GLOBAL_OPTIONS, ...command.options })) {
    options[name] = { type: o.type, ...(o.short ? { short: o.short } : {}) };
  }
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw usage(`${command.name}: ${e.message.replace(/\. To specify a positional argument.*$/s, '')}`);
  }
}

function secretKeyFrom(values) {
  const raw = values['secret-key-file'] !== undefined ? readSecretFile(values['secret-key-file'], '--secret-key-file') : process.env.SSO_SECRET_KEY;
  if (!raw || !raw.trim()) throw usage("no secret key: set SSO_SECRET_KEY or give --secret-key-file (edge-sso's key, base64 of 32 bytes)");
  const text = raw.trim();
  if (!text.startsWith('[')) return text;
  try {
    return JSON.parse(text);
  } catch {
    throw usage('the secret key starts with [ but is not a JSON array of keys');
  }
}

function configFrom(path) {
  if (path === undefined) return undefined;
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw usage(`--config ${path}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw usage(`--config ${path} is not JSON (${e.message})`);
  }
}

function auditTo(path) {
  if (path === undefined) return undefined;
  return (event) => appendFileSync(path, `${JSON.stringify(event)}\n`, { mode: 0o600 });
}

/** Runs the command line `argv`; resolves the exit code. `io`: { stdout, stderr } (tests). */
export async function main(argv, io = { stdout: process.stdout, stderr: process.stderr }) {
  const json = argv.includes('--json');
  const print = (text) => io.stdout.write(`${text}\n`);
  let commandName = argv[0];
  try {
    if (commandName === undefined || commandName === '--help' || commandName === '-h' || commandName === 'help') {
      const topic = commandName === 'help' ? argv[1] : undefined;
      if (topic && !byName.has(topic)) throw usage(`unknown command ${JSON.stringify(topic)}; \`edge-sso --help\` lists them`);
      if (commandName === undefined) {
        io.stderr.write(`${generalHelp()}\n`);
        return EXIT.USAGE;
      }
      print(topic ? commandHelp(byName.get(topic)) : generalHelp());
      return EXIT.OK;
    }
    const command = byName.get(commandName);
    if (!command) throw usage(`unknown command ${JSON.stringify(commandName)}; \`edge-sso --help\` lists them`);
    const { values, positionals } = parse(command, argv.slice(1));
    if (values.help) {
      print(commandHelp(command));
      return EXIT.OK;
    }
    if (positionals.length !== command.positionals.length) {
      throw usage(`${command.name} takes ${command.positionals.map((p) => `<${p}>`).join(' ')}${positionals.length > command.positionals.length ? `, not ${positionals.length} arguments` : ''}`);
    }
    if (positionals.some((p) => p === '')) throw usage(`${command.name}: an argument is empty`);
    const secretKey = secretKeyFrom(values);
    const config = configFrom(values.config);
    const { openStore } = await import('./stores.js');
    const opened = await openStore(values.store ?? process.env.SSO_STORE, {
      remote: values.remote, persistTo: values['persist-to'], wranglerConfig: values['wrangler-config'], env: values.env,
    });
    try {
      const { Sso } = await import('../../entrypoints/node.js');
      let sso;
      try {
        sso = new Sso({ store: opened.store, secretKey, ...(config !== undefined ? { config } : {}), audit: auditTo(values['audit-log']) });
      } catch (e) {
        throw usage(`could not set up edge-sso (secret key or --config): ${e.message}`);
      }
      if (!sso.admin) throw new CliError(EXIT.FAILED, 'this edge-sso has no sso.admin (trusted operations): update the package');
      const result = await command.run({ sso }, positionals, values);
      const code = result.exitCode ?? EXIT.OK;
      if (json) print(JSON.stringify({ status: code === EXIT.OK ? 'ok' : 'error', command: command.name, ...(code === EXIT.OK ? {} : { exit_code: code, error: EXIT_NAMES[code] }), ...result.data }));
      else print(result.text);
      return code;
    } finally {
      await opened.close().catch(() => {});
    }
  } catch (e) {
    let code;
    let message;
    let codes = [];
    if (e instanceof CliError) {
      ({ exitCode: code, message, codes } = e);
    } else if (e?.name === 'SsoError' && Array.isArray(e.sub_status)) {
      codes = e.sub_status;
      code = exitCodeForSso(codes);
      message = code === EXIT.USER_EXISTS ? `user exists (${codes.join(', ')})` : code === EXIT.VALIDATION_ERROR ? `validation error, codes: ${codes.join(', ')} (${e.message})` : e.message;
    } else {
      code = EXIT.FAILED;
      message = e instanceof Error ? `${e.name}: ${e.message}` : 'unexpected failure';
    }
    if (json) print(JSON.stringify({ status: 'error', command: commandName ?? null, exit_code: code, error: EXIT_NAMES[code], message, sub_status: codes }));
    else io.stderr.write(`edge-sso: ${message}\n`);
    return code;
  }
}
