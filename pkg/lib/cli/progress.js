// A progress bar on stderr, drawn only when stderr is a terminal (never in logs or pipes), at
// most ten times a second. It shows counts, never names or values.
const WIDTH = 30;

export class Progress {
  #stream;
  #label;
  #total;
  #done = 0;
  #drawnAt = 0;
  #active;

  constructor(label, total, { stream = process.stderr } = {}) {
    this.#stream = stream;
    this.#label = label;
    this.#total = Math.max(0, total);
    this.#active = Boolean(stream.isTTY) && this.#total > 0;
  }

  tick(n = 1) {
    this.#done = Math.min(this.#total, this.#done + n);
    const now = Date.now();
    if (this.#done === this.#total || now - this.#drawnAt >= 100) {
      this.#drawnAt = now;
      this.#draw();
    }
  }

  #draw() {
    if (!this.#active) return;
    const share = this.#total ? this.#done / this.#total : 1;
    const filled = Math.round(share * WIDTH);
    const bar = `${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}`;
    this.#stream.write(`\r${this.#label} [${bar}] ${this.#done}/${this.#total} ${Math.floor(share * 100)}%`);
  }

  /** Ends the bar's line, so what follows starts on a fresh one. */
  finish() {
    if (!this.#active) return;
    this.#draw();
    this.#stream.write('\n');
    this.#active = false;
  }
}
