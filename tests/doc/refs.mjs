// `make test-doc`: every reference in the code resolves to a file in the repository.
//
// Scans src/, pkg/lib/, pkg/*.d.ts, www/, tests/, examples/, README.md, ARCHITECTURE.md and docs/
// (not node_modules, .build, target, generated folders) for
//   - `§n` / `§n.m…` citations: each needs a heading that carries the number in docs/behaviour.md
//     (`## 3. Operations`, `### 3.18 Linked authentication`). Citations of outside standards,
//     where the § follows the standard's name (`RFC 6238 §5.2`, `ASVS 5 §7.2.3`,
//     `SP 800-63B §5.2.2`), are theirs, not ours, and are skipped;
//   - `O-nn` ids: each needs its row (`| O-nn |`) in the §10 table of docs/behaviour.md;
//   - `*.md` file references (a name, or a path): each must exist, relative to the repository
//     root or to the citing file's folder (URLs are skipped).
// Fails listing file:line for every reference that does not resolve. Node only, no dependencies.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const BEHAVIOUR = 'docs/behaviour.md';

const SKIP_DIRS = new Set(['node_modules', '.build', 'target', 'vendor', 'wasm', 'screenshots', '.git']);
const TEXT = /\.(rs|js|mjs|cjs|ts|mts|html|css|md|json|toml|sql|sh|txt)$/;

/** Every text file under `dir` (repository-relative paths), generated folders left out. */
function walk(dir, out = []) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return out;
  if (statSync(abs).isFile()) {
    out.push(dir);
    return out;
  }
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (SKIP_DIRS.has(entry.name) || entry.name.startsWith('.run-')) continue;
      walk(join(dir, entry.name), out);
    } else if (TEXT.test(entry.name)) {
      out.push(join(dir, entry.name));
    }
  }
  return out;
}

const declarations = readdirSync(join(root, 'pkg')).filter((f) => f.endsWith('.d.ts')).map((f) => `pkg/${f}`);
const files = ['src', 'pkg/lib', ...declarations, 'www', 'tests', 'examples', 'README.md', 'ARCHITECTURE.md', 'docs']
  .flatMap((d) => walk(d));

// What docs/behaviour.md defines: section numbers from its headings, O-nn ids from its table rows.
const sections = new Set();
const entries = new Set();
const behaviourPath = join(root, BEHAVIOUR);
if (existsSync(behaviourPath)) {
  for (const line of readFileSync(behaviourPath, 'utf8').split('\n')) {
    const heading = /^#{1,6}\s+§?(\d+(?:\.\d+)*)\.?(\s|$)/.exec(line);
    if (heading) sections.add(heading[1]);
    const row = /^\|\s*(O-\d+)\s*\|/.exec(line);
    if (row) entries.add(row[1]);
  }
}

// A § right after an outside standard's name and number is that standard's section.
const OUTSIDE = /(?:RFC\s*\d+|ASVS(?:\s*v?\d+(?:\.\d+)*)?|800-63[A-C]?(?:\s*rev\.?\s*\d+)?|ISO(?:\/IEC)?\s*\d+(?:-\d+)?)\s*$/i;
const SECTION = /§\s?(\d+(?:\.\d+)*)/g;
const DEFECT = /\bO-(\d+)\b/g;
const MD_FILE = /[\w.:/-]*[\w-]\.md\b/g;

const problems = [];
let counts = { sections: 0, defects: 0, files: 0 };
for (const file of files) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  lines.forEach((line, i) => {
    const where = `${file}:${i + 1}`;
    for (const m of line.matchAll(SECTION)) {
      if (OUTSIDE.test(line.slice(Math.max(0, m.index - 40), m.index))) continue;
      counts.sections++;
      if (!sections.has(m[1])) problems.push(`${where}: §${m[1]} has no heading in ${BEHAVIOUR}`);
    }
    for (const m of line.matchAll(DEFECT)) {
      counts.defects++;
      if (!entries.has(`O-${m[1]}`)) problems.push(`${where}: O-${m[1]} has no entry in the §10 table of ${BEHAVIOUR}`);
    }
    for (const m of line.matchAll(MD_FILE)) {
      const ref = m[0].replace(/^[.:]+(?=[\w/])/, '');
      if (ref.includes('://')) continue;
      counts.files++;
      const candidates = [resolve(root, ref), resolve(root, dirname(file), ref)];
      if (!candidates.some((p) => p.startsWith(root) && existsSync(p))) {
        problems.push(`${where}: ${ref} does not exist in the repository`);
      }
    }
  });
}

if (!existsSync(behaviourPath)) problems.unshift(`${BEHAVIOUR} is missing`);
if (problems.length > 0) {
  console.log(`FAIL references: ${problems.length} do not resolve\n${problems.map((p) => `     ${p}`).join('\n')}`);
  process.exit(1);
}
console.log(
  `ok   references: ${counts.sections} § citations, ${counts.defects} O-nn ids, ${counts.files} .md file references ` +
    `in ${files.length} files resolve (${sections.size} headings, ${entries.size} entries in ${relative(root, behaviourPath)})`,
);
