// Writes src/password/common_passwords.fc: the most common passwords of the
// @zxcvbn-ts/language-common list (MIT; frequency-ordered), top 3,000, lower-cased, sorted and
// front-coded (each line: one char giving the length of the prefix shared with the previous
// line, '0' + n, then the rest), which is what the strict profile's blocklist decodes.
//   npm install --no-save @zxcvbn-ts/language-common@4.1.3 && node tools/gen-common-passwords.mjs
import { writeFileSync } from 'node:fs';

const N = 3000;
const { dictionary } = await import('@zxcvbn-ts/language-common');
const words = [...new Set(dictionary['passwords-common'].slice(0, N).map((w) => w.toLowerCase()))].sort();
let prev = '';
const lines = words.map((w) => {
  let n = 0;
  while (n < prev.length && n < w.length && n < 60 && prev[n] === w[n]) n++;
  prev = w;
  return String.fromCharCode(48 + n) + w.slice(n);
});
writeFileSync(new URL('../src/password/common_passwords.fc', import.meta.url), `${lines.join('\n')}\n`);
console.log(`${words.length} passwords, ${lines.join('\n').length} bytes`);
