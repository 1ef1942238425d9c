/** Where progress goes: a TTY gets a live bar, anything else one plain line per epoch. */
export interface ProgressSink {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

function defaultSink(): ProgressSink | null {
  const p = (globalThis as { process?: { stdout?: ProgressSink } }).process;
  if (p?.stdout) return p.stdout;
  return null;
}

function fmt(logs: Record<string, number>): string {
  return Object.entries(logs)
    .map(
      ([k, v]) =>
        `${k}=${Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(3) : v.toFixed(4)}`,
    )
    .join(' ');
}

/**
 * Training progress: on a TTY a live bar `epoch 2/5 [=====>    ] 120/250 loss=0.1234 acc=0.97 812 samples/s`,
 * elsewhere (CI logs, files) one plain line per epoch; `verbose: 0` prints nothing. In a browser
 * (no stdout), lines go to `console.log`.
 */
export class Progress {
  private readonly sink: ProgressSink | null;
  private readonly live: boolean;
  private epochStart = 0;
  private trainEnd: number | null = null;
  private lastDraw = 0;

  constructor(
    private readonly verbose: 0 | 1,
    private readonly epochs: number,
    sink?: ProgressSink,
  ) {
    this.sink = sink ?? defaultSink();
    this.live = verbose === 1 && this.sink?.isTTY === true;
  }

  private line(s: string): void {
    if (this.verbose === 0) return;
    if (this.sink) this.sink.write(`${s}\n`);
    else console.log(s);
  }

  epochBegin(): void {
    this.epochStart = performance.now();
    this.trainEnd = null;
    this.lastDraw = 0;
  }

  /** Marks the end of the epoch's training steps: samples/s counts them only, not validation. */
  trainDone(): void {
    this.trainEnd = performance.now();
  }

  /** Redraws the live bar (throttled to ~10 Hz). */
  step(
    epoch: number,
    done: number,
    total: number | undefined,
    samples: number,
    logs: Record<string, number>,
  ): void {
    if (!this.live || !this.sink) return;
    const now = performance.now();
    if (now - this.lastDraw < 100 && done !== total) return;
    this.lastDraw = now;
    const rate = samples / Math.max(1e-9, (now - this.epochStart) / 1000);
    const width = 24;
    const bar =
      total !== undefined
        ? `[${'='.repeat(Math.floor((width * done) / total)).padEnd(width, ' ')}] ${done}/${total}`
        : `${done} steps`;
    const text = `epoch ${epoch + 1}/${this.epochs} ${bar} ${fmt(logs)} ${rate.toFixed(0)} samples/s`;
    const cols = this.sink.columns ?? 120;
    this.sink.write(`\r${text.slice(0, cols - 1).padEnd(Math.min(cols - 1, text.length))}\x1b[K`);
  }

  epochEnd(epoch: number, samples: number, logs: Record<string, number>): void {
    const now = performance.now();
    const secs = (now - this.epochStart) / 1000;
    const rate = samples / Math.max(1e-9, ((this.trainEnd ?? now) - this.epochStart) / 1000);
    if (this.live && this.sink) this.sink.write('\r\x1b[K');
    this.line(
      `epoch ${epoch + 1}/${this.epochs} ${fmt(logs)} (${secs.toFixed(1)} s, ${rate.toFixed(0)} samples/s)`,
    );
  }

  message(s: string): void {
    if (this.live && this.sink) this.sink.write('\r\x1b[K');
    this.line(s);
  }
}
