// Secrets given to a command (a password, a TOTP key, a UST) without putting them on the command
// line, where `ps` shows them to every local user and the shell keeps them in its history:
// `--NAME-file PATH` reads the file's first line, `--NAME -` reads stdin's first line (`-` was
// never a usable password: the policy's minimum length refuses it). `--NAME VALUE` still works,
// as Zato's commands take it. A line is what precedes its newline (`\n` or `\r\n`); other
// whitespace is kept, as it may belong to a password.
import { closeSync, openSync, readSync } from 'node:fs';
import { CliError, EXIT } from './exit-codes.js';

/** Longer than any password the policy allows: a file or stream without a newline is not read past this. */
export const MAX_SECRET_BYTES = 64 * 1024;

const usage = (message) => new CliError(EXIT.USAGE, message);

/** The first line of `bytes` (a Buffer), or null when no newline came within MAX_SECRET_BYTES. */
function firstLine(bytes, ended) {
  const at = bytes.indexOf(0x0a);
  if (at < 0 && (!ended || bytes.length > MAX_SECRET_BYTES)) return null;
  const line = bytes.subarray(0, at < 0 ? bytes.length : at).toString('utf8');
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function fileError(e) {
  if (e.code === 'ENOENT') return 'no such file';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'not readable (permission denied)';
  if (e.code === 'EISDIR') return 'is a folder, not a file';
  return `cannot be read (${e.code ?? e.message})`;
}

/** The first line of the file at `path`; reading stops at its first newline (a FIFO, /dev/zero). */
export function secretFromFile(path, option) {
  let fd;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw usage(`${option} ${path}: ${fileError(e)}`);
  }
  try {
    const chunks = [];
    let size = 0;
    const chunk = Buffer.alloc(4096);
    for (;;) {
      let n;
      try {
        n = readSync(fd, chunk, 0, chunk.length, null);
      } catch (e) {
        throw usage(`${option} ${path}: ${fileError(e)}`);
      }
      if (n > 0) {
        chunks.push(Buffer.from(chunk.subarray(0, n)));
        size += n;
      }
      const line = firstLine(Buffer.concat(chunks, size), n === 0);
      if (line !== null) {
        if (line === '') throw usage(`${option} ${path}: its first line is empty`);
        return line;
      }
      if (n === 0 || size > MAX_SECRET_BYTES) throw usage(`${option} ${path}: no line within its first ${MAX_SECRET_BYTES} bytes`);
    }
  } finally {
    closeSync(fd);
  }
}

/** The first line of `input` (stdin); reading stops at its first newline. */
export async function secretFromStream(input, option) {
  const chunks = [];
  let size = 0;
  let line = null;
  for await (const c of input) {
    chunks.push(Buffer.from(c));
    size += c.length;
    line = firstLine(Buffer.concat(chunks, size), false);
    if (line !== null || size > MAX_SECRET_BYTES) break;
  }
  line ??= firstLine(Buffer.concat(chunks, size), true);
  if (line === null) throw usage(`${option} -: no line within the first ${MAX_SECRET_BYTES} bytes of stdin`);
  if (line === '') throw usage(`${option} -: stdin ${size === 0 ? 'was empty' : 'began with an empty line'}`);
  return line;
}

/**
 * The options of a secret `name`: `--name` (with the warning `--help` shows) and `--name-file`.
 * `what` says what it is ("the password"); `otherwise` what happens when neither is given.
 */
export function secretOptions(name, what, otherwise) {
  return {
    [name]: {
      type: 'string',
      help: `${what}; ${otherwise}. \`-\` reads it from stdin's first line. A value here is visible to other local users (ps) and kept in shell history: prefer --${name}-file or --${name} -`,
    },
    [`${name}-file`]: { type: 'string', help: `a file whose first line is ${what} (the newline is not part of it)` },
  };
}

/**
 * The secret `name` of parsed options `o`: from `--name-file`, from stdin for `--name -`, as
 * given, or undefined when neither option is. For `-` on a terminal, `ask()` (hidden entry)
 * stands in for reading stdin, which would echo it.
 */
export async function secretFrom(o, name, { ask, input = process.stdin }) {
  const given = o[name];
  const file = o[`${name}-file`];
  if (given !== undefined && file !== undefined) throw usage(`give --${name} or --${name}-file, not both`);
  if (file !== undefined) return secretFromFile(file, `--${name}-file`);
  if (given === '-') {
    if (!input.isTTY) return secretFromStream(input, `--${name}`);
    // An empty answer is no secret: for a TOTP key the core would take it as "generate one",
    // which the operator, who typed nothing, would never see.
    const typed = await ask();
    if (typed === '' || typed === undefined) throw usage(`--${name} -: nothing was typed`);
    return typed;
  }
  return given;
}
