// The password asked for on a terminal (a pseudo-terminal, through pty_run.py): not echoed,
// asked twice, and two different answers are bad usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BIN, CID, IP, fileStore } from './helpers.mjs';

const python = process.env.PYTHON;
if (!python) throw new Error('run these tests with `make test-cli` (PYTHON)');

function onTerminal(answers, args) {
  const r = spawnSync(python, [join(import.meta.dirname, 'pty_run.py'), JSON.stringify(answers), BIN, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('create-user without --password asks for it twice on a terminal, without echoing it', async () => {
  const s = fileStore();
  const typed = 'Typed-on-terminal-42';
  const r = onTerminal([['Password: ', typed], ['Password (again): ', typed]], ['create-user', 'tty', ...s.args]);
  assert.equal(r.status, 0, r.output);
  assert.match(r.output, /Created user `tty`/);
  assert.ok(!r.output.includes(typed), 'the password was echoed');
  assert.ok((await s.sso().user.login(CID, 'tty', typed, 'CRM', IP)).ust);

  const differ = onTerminal([['Password: ', typed], ['Password (again): ', `${typed}x`]], ['change-user-password', 'tty', ...s.args]);
  assert.equal(differ.status, 2, differ.output);
  assert.match(differ.output, /the two passwords differ/);
});

test('--password - on a terminal asks for it (hidden, twice) instead of reading an echoed line', async () => {
  const s = fileStore();
  const typed = 'Typed-for-dash-43';
  const r = onTerminal([['Password: ', typed], ['Password (again): ', typed]], ['create-user', 'dash', '--password', '-', ...s.args]);
  assert.equal(r.status, 0, r.output);
  assert.ok(!r.output.includes(typed), 'the password was echoed');
  assert.ok((await s.sso().user.login(CID, 'dash', typed, 'CRM', IP)).ust);
});
