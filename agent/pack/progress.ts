import { formatBytes } from '../../lib/format-bytes';

/** Upload progress on stderr: a redrawn bar on a terminal, a line every 10 % otherwise (logs, CI). */
export class Progress {
  private readonly started: number;
  private lastDraw = 0;
  private lastDecile = -1;

  constructor(
    private readonly total: number,
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly now: () => number = Date.now,
  ) {
    this.started = now();
  }

  update(sent: number, force = false): void {
    const t = this.now();
    const fraction = this.total > 0 ? sent / this.total : 1;
    if (this.out.isTTY) {
      if (!force && t - this.lastDraw < 100) return;
      this.lastDraw = t;
      const width = 28;
      const filled = Math.round(fraction * width);
      this.out.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.describe(sent, t)}   `);
      if (force) this.out.write('\n');
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== this.lastDecile || force) {
      this.lastDecile = decile;
      this.out.write(`${this.label} ${this.describe(sent, t)}\n`);
    }
  }

  private describe(sent: number, t: number): string {
    const seconds = Math.max((t - this.started) / 1000, 0.001);
    const percent = this.total > 0 ? Math.floor((sent / this.total) * 100) : 100;
    return `${String(percent).padStart(3)}%  ${formatBytes(sent)} / ${formatBytes(this.total)}  ${formatBytes(sent / seconds)}/s`;
  }
}
