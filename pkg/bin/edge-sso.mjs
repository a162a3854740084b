#!/usr/bin/env node
// `npx edge-sso <command>`: Zato SSO's administrative commands on an edge-sso store.
// `npx edge-sso --help` lists them; pkg/lib/cli/ holds them.
import { main } from '../lib/cli/main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
// A store client that keeps a handle open must not keep the command from ending.
setTimeout(() => process.exit(code), 5000).unref();
