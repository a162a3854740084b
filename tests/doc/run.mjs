// `make test-doc`: the README's code blocks and the demo, run as written (like rustdoc's doc tests).
// Every fenced block of README.md either runs or carries a marker on the line before its fence:
//   <!-- doc-test: skip (reason) -->       not run, for the reason given (a runtime or service needed)
//   <!-- doc-test: not code (reason) -->  a listing, not a program
//   <!-- doc-test: fragment (...) -->      run inside prelude.mjs's context (sso, cid, ust, ip, userId,
//                                          store, secretKey, mailer, tokenFromTheEmail)
//   <!-- doc-test: option (...) -->        a key of the Sso options: run as new Sso({ store, secretKey, <block> })
// Unmarked js blocks run as files of their own against the installed package (SSO_KEY set to a fresh
// key); an unmarked block of any other language fails the test. A block that throws fails it.
// Then the demo: examples/demo/seed-flow.mjs twice (first run, later run) and examples/demo/serve.mjs
// in a temporary .demo folder, with every curl command it prints pasted into bash as printed.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';

const here = import.meta.dirname;
const root = resolve(here, '../..');
const lines = readFileSync(resolve(root, 'README.md'), 'utf8').split('\n');
const blocks = [];
for (let i = 0; i < lines.length; i++) {
  const open = /^```(\w*)\s*$/.exec(lines[i]);
  if (!open) continue;
  const start = i;
  const body = [];
  for (i++; i < lines.length && !/^```\s*$/.test(lines[i]); i++) body.push(lines[i]);
  const marker = /^<!--\s*doc-test:\s*(skip|not code|fragment|option)\b\s*(.*?)\s*-->\s*$/.exec(lines[start - 1] ?? '');
  blocks.push({ line: start + 1, lang: open[1] || 'text', code: body.join('\n'), kind: marker?.[1] ?? 'run', note: marker?.[2] ?? '' });
}

const work = mkdtempSync(resolve(here, '.run-'));
let failures = 0;
const report = (ok, what, detail = '') => {
  if (!ok) failures++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${detail ? `\n${detail.replace(/^/gm, '     ')}` : ''}`);
};
const node = (file, env = {}) =>
  spawnSync(process.execPath, [file], { cwd: here, encoding: 'utf8', timeout: 120_000, env: { ...process.env, ...env } });

try {
  for (const b of blocks) {
    const what = `README.md:${b.line} ${b.lang} (${b.kind}${b.note ? ` ${b.note}` : ''})`;
    if (b.kind === 'skip' || b.kind === 'not code') {
      report(b.note.length > 0, what, b.note ? '' : 'a marker needs its reason in parentheses');
      continue;
    }
    if (b.lang !== 'js') {
      report(false, what, `an unmarked ${b.lang} block: run it here, or mark it with its reason`);
      continue;
    }
    let source = b.code;
    if (b.kind === 'fragment') {
      source = `import { Sso, SsoError, MemoryStore, store, secretKey, sso, cid, ip, ust, userId, mailer, tokenFromTheEmail } from '../prelude.mjs';\n{\n${b.code}\n}\n`;
    } else if (b.kind === 'option') {
      source = `import { Sso, store, secretKey } from '../prelude.mjs';\nnew Sso({ store, secretKey,\n${b.code}\n});\n`;
    }
    const file = resolve(work, `readme-${b.line}.mjs`);
    writeFileSync(file, source);
    const r = node(file, { SSO_KEY: randomBytes(32).toString('base64') });
    report(r.status === 0, what, r.status === 0 ? r.stdout.trim() : `${r.stdout}${r.stderr}`.trim());
  }

  // The seed flow, in a fresh folder: its first run bootstraps, the second finds it.
  const seedDir = resolve(work, 'seed');
  for (const run of ['first', 'second']) {
    const r = node(resolve(root, 'examples/demo/seed-flow.mjs'), { DEMO_DIR: seedDir });
    report(r.status === 0 && /After logout the UST is refused/.test(r.stdout), `examples/demo/seed-flow.mjs (${run} run)`, r.status === 0 ? '' : `${r.stdout}${r.stderr}`.trim());
  }

  // The demo server; the curl commands it prints, pasted as printed.
  const demo = spawn(process.execPath, [resolve(root, 'examples/demo/serve.mjs')], {
    cwd: root, env: { ...process.env, DEMO_DIR: resolve(work, 'demo'), PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  demo.stdout.on('data', (d) => { out += d; });
  demo.stderr.on('data', (d) => { out += d; });
  const started = await new Promise((done) => {
    const t = setTimeout(() => done(false), 60_000);
    demo.stdout.on('data', () => { if (out.includes('Ctrl-C stops it.')) { clearTimeout(t); done(true); } });
    demo.on('exit', () => { clearTimeout(t); done(false); });
  });
  try {
    report(started && /login check\s+ok/.test(out), 'examples/demo/serve.mjs starts and logs in', started ? '' : out);
    const commands = out.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l.startsWith('curl '));
    report(commands.length >= 2, `the demo prints ${commands.length} curl commands`);
    for (const c of commands) {
      const r = spawnSync('bash', ['-c', c], { encoding: 'utf8', timeout: 30_000 });
      let answer;
      try { answer = JSON.parse(r.stdout); } catch { answer = null; }
      report(r.status === 0 && answer?.status === 'ok', `pasted: ${c.slice(0, 90)}…`, answer?.status === 'ok' ? '' : `${r.stdout}${r.stderr}`.trim());
    }
  } finally {
    demo.kill('SIGTERM');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
console.log(failures ? `\n${failures} failing` : `\nall ${blocks.length} README blocks run or marked; the demo works as printed`);
process.exitCode = failures ? 1 : 0;
