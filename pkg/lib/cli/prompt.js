// Questions on the terminal: a yes/no confirmation (also read from a pipe, `echo y | ...`) and a
// hidden password entry (only on a terminal: nothing is echoed).
import { createInterface } from 'node:readline';

/** One line from stdin, after writing `question` to stderr; null when stdin ends first. */
export function askLine(question, { input = process.stdin, output = process.stderr } = {}) {
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: Boolean(input.isTTY) });
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
    rl.on('close', () => {
      if (!answered) resolve(null);
    });
  });
}

/** A password typed on the terminal, not echoed; null when stdin is not a terminal. */
export function askHidden(question, { input = process.stdin, output = process.stderr } = {}) {
  if (!input.isTTY) return Promise.resolve(null);
  return new Promise((resolve) => {
    const rl = createInterface({ input, output, terminal: true });
    let muted = false;
    // readline echoes what is typed through _writeToOutput: after the question, nothing is shown.
    rl._writeToOutput = (s) => {
      if (!muted) output.write(s);
    };
    rl.question(question, (answer) => {
      output.write('\n');
      rl.close();
      resolve(answer);
    });
    muted = true;
  });
}

/** Yes for y / yes (any case). */
export const isYes = (answer) => typeof answer === 'string' && /^\s*y(es)?\s*$/i.test(answer);
