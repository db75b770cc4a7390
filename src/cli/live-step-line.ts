import type { JournalEvent } from '../domain/index.js';
import { forTerminal } from '../domain/terminal-text.js';
import type { Runtime } from '../runtime/index.js';
import { formatElapsed } from './format/progress.js';
import { plainLine } from './format/terminal-text.js';
import { stepAfter, type RunningStep } from './running-step.js';

/** How often the line is drawn again. */
export const LIVE_LINE_EVERY_MS = 500;
// a step that ends sooner than this never gets a line: no flicker for quick steps
const SHOW_AFTER_MS = 1_000;
// erase the line the cursor is on and go back to its start
const ERASE_LINE = '\r\u001b[2K';

/** Where a {@link LiveStepLine} draws: a terminal's stderr. */
export interface LiveLineTerminal {
  write(text: string): void;
  /** Its width, when known: the line is cut to fit it. */
  columns?: number | undefined;
}

/**
 * The last line of `troupe plan run` (and `plan resume`, the phase
 * commands) on a terminal while a step runs: its title, how long it has
 * run, and the last line its command wrote, drawn again in place every half
 * second. The progress lines print above it ({@link around}). Only on a
 * terminal: without one nothing of it is written (docs/reference/cli.md).
 *
 * @example
 * const line = new LiveStepLine(runtime, { write: (text) => process.stderr.write(text), columns: process.stderr.columns });
 * line.event(event); // a step.started starts the clock
 * line.around(() => out.note(text));
 * line.stop();
 */
export class LiveStepLine {
  readonly #runtime: Runtime;
  readonly #terminal: LiveLineTerminal;
  readonly #timer: NodeJS.Timeout;
  // the step each driven plan runs, from its events; the line shows the one started last
  readonly #running = new Map<string, RunningStep>();
  #drawn = false;
  #stopped = false;
  #reading = false;

  constructor(runtime: Runtime, terminal: LiveLineTerminal) {
    this.#runtime = runtime;
    this.#terminal = terminal;
    this.#timer = setInterval(() => void this.#tick(), LIVE_LINE_EVERY_MS);
    this.#timer.unref();
  }

  /** An event of a plan the command drives (not a child's): a step starts or ends. */
  event(event: JournalEvent): void {
    const running = stepAfter(this.#running.get(event.planId) ?? null, event);
    if (running) this.#running.set(event.planId, running);
    else if (this.#running.delete(event.planId) && this.#running.size === 0) this.#erase();
  }

  /** Print something (a progress line) with the live line out of its way: erased first, drawn again at the next tick. */
  around(print: () => void): void {
    this.#erase();
    print();
  }

  /** No more drawing: the line is erased. */
  stop(): void {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#erase();
  }

  async #tick(): Promise<void> {
    if (this.#reading || this.#stopped) return;
    const [planId, step] = [...this.#running].sort(([, a], [, b]) => a.since.localeCompare(b.since)).at(-1) ?? [];
    if (!planId || !step) return;
    const elapsed = Date.now() - Date.parse(step.since);
    if (elapsed < SHOW_AFTER_MS) return;
    this.#reading = true;
    const output = await this.#runtime
      .liveness([planId])
      .then(([liveness]) => liveness?.output ?? null)
      .catch(() => null)
      .finally(() => (this.#reading = false));
    // it ended, or another step started, while the output was read
    if (this.#stopped || this.#running.get(planId) !== step) return;
    // written past Output: the title is escaped here as the output line is
    const text = `… step ${step.index + 1}: ${forTerminal(step.title)} · ${formatElapsed(elapsed)}${output ? ` · ${plainLine(output)}` : ''}`;
    this.#terminal.write(`${ERASE_LINE}${fit(text, this.#terminal.columns)}`);
    this.#drawn = true;
  }

  #erase(): void {
    if (!this.#drawn) return;
    this.#terminal.write(ERASE_LINE);
    this.#drawn = false;
  }
}

// one line of the terminal: a line that wrapped could not be erased in place
function fit(text: string, columns: number | undefined): string {
  const width = Math.max(20, (columns ?? 80) - 1);
  const chars = [...text];
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : text;
}
