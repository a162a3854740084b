// The command line's heavy dependencies are optional peer dependencies of edge-sso: imported
// only when a command needs them (resolved like edge-sso's own imports, so from the project
// that installed edge-sso), with a message naming the package when it is missing.
import { CliError, EXIT } from './exit-codes.js';

export async function importOptional(name, purpose) {
  try {
    return await import(name);
  } catch (e) {
    const missing = (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && String(e.message).includes(`'${name}'`);
    if (missing) throw new CliError(EXIT.MISSING_PACKAGE, `${purpose} needs the npm package \`${name}\`: npm install ${name}`);
    throw e;
  }
}
