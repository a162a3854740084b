// The command line's exit codes. 20, 21 and 22 are Zato's own numbers for the same failures
// (zato.cli SYS_ERROR), so scripts written for `zato sso` keep working.
export const EXIT = Object.freeze({
  OK: 0,
  FAILED: 1, // the core refused for another reason (e.g. E005002, a locked user at login)
  USAGE: 2, // unknown command or option, missing argument, bad option value, no secret key
  USER_EXISTS: 20, // E001002
  VALIDATION_ERROR: 21, // password policy, bad username / email / TOTP key: the codes are printed
  NO_SUCH_USER: 22, // no approved user by that name
  STORE_FAILURE: 23, // the store could not be opened or failed (E008004)
  NOT_CONFIRMED: 24, // delete-user was not confirmed
  MISSING_PACKAGE: 25, // an optional package (pg, @deno/kv, wrangler, sql.js) is not installed
  IMPORT_INCOMPLETE: 26, // import-zato finished, but some users failed (listed in the summary)
});

/** The name each code has in --json output (`error` field). */
export const EXIT_NAMES = Object.freeze({
  [EXIT.FAILED]: 'failed',
  [EXIT.USAGE]: 'usage',
  [EXIT.USER_EXISTS]: 'user_exists',
  [EXIT.VALIDATION_ERROR]: 'validation_error',
  [EXIT.NO_SUCH_USER]: 'no_such_user',
  [EXIT.STORE_FAILURE]: 'store_failure',
  [EXIT.NOT_CONFIRMED]: 'not_confirmed',
  [EXIT.MISSING_PACKAGE]: 'missing_package',
  [EXIT.IMPORT_INCOMPLETE]: 'import_incomplete',
});

/** A failure the command line reports and exits with; `codes` are SSO sub-status codes. */
export class CliError extends Error {
  constructor(exitCode, message, { codes = [] } = {}) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.codes = codes;
  }
}

const VALIDATION = /^(E001001|E001003|E001004|E002\d{3}|E003001|E003002|E003003|E003005|E008002|E008003)$/;

/** The exit code for an SsoError's sub-status codes. */
export function exitCodeForSso(codes) {
  if (codes.includes('E001002')) return EXIT.USER_EXISTS;
  if (codes.includes('E008004')) return EXIT.STORE_FAILURE;
  if (codes.length && codes.every((c) => VALIDATION.test(c))) return EXIT.VALIDATION_ERROR;
  return EXIT.FAILED;
}
