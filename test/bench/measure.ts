// Shared bookkeeping of the benchmarks: which step a written batch belongs
// to, when steps start and end, and the figures of one run.
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, platform, release } from 'node:os';

/** What a benchmark needs to know of a journal event. */
export interface StepEvent {
  type: string;
  phase?: string;
  data?: unknown;
}

/** One written batch, as `onBatch` reports it. */
export interface WrittenBatch {
  /**
   * Its bytes, or how to count them: counting serializes every value again,
   * so both sides count after the run, not inside the time they are measured by.
   */
  bytes: number | (() => number);
  operations: number;
  /**
   * Of its bytes, those of checkpoints a phase boundary took (`phase`,
   * `pre-execute`, `post-execute`): they ride in the batch of the step that
   * ends the phase but are written once per phase, so no step is charged.
   */
  phaseCheckpointBytes?: number;
}

/** The figures of one run of one side (troupe or floor). */
export interface RunFigures {
  steps: number;
  /** From the first `step.started` to the end of the phase, as subscribers saw them (after each write). */
  msTotal: number;
  msPerStep: number;
  /** Mean step time over the first and the last tenth of the steps: flat or growing. */
  msPerStepFirstTenth: number;
  msPerStepLastTenth: number;
  /**
   * Bytes of the batch that wrote step 10 and of the one that wrote the last
   * step (1-based numbers), among the batches that wrote one step each: see
   * {@link StepLedger.single}.
   */
  bytesAtStep10: number;
  bytesAtLastStep: number;
  bytesPerStepMean: number;
  /** Mean bytes of the one-step batches over the first and the last tenth of the steps. */
  bytesFirstTenth: number;
  bytesLastTenth: number;
  batchesPerStep: number;
  operationsPerBatch: number;
  /** Bytes written outside the steps: before the first one started (plan creation, strategize…) and by a batch of its own that ends the phase. */
  setupBytes: number;
  /** Bytes of the checkpoints taken at phase boundaries, kept out of the steps' bytes. */
  phaseCheckpointBytes: number;
}

function indexOf(event: StepEvent): number | null {
  const index = (event.data as { index?: unknown } | undefined)?.index;
  return typeof index === 'number' ? index : null;
}

/**
 * Attributes written batches to steps by the journal events each batch
 * carries: a batch that records `step.completed` of step i belongs to step
 * i (in troupe it also carries `step.started` of step i+1: one batch per
 * step boundary); any other batch belongs to the step in flight when it is
 * written, or — before the first step runs — to the setup. So the batch
 * that enters execute and starts step 1 (in troupe it also records the
 * strategy's decisions) is setup, as it is written before the step runs.
 * A batch that ends the phase and records no step's completion belongs to
 * no step either (whether it has a batch of its own or rides in the last
 * step's depends on timing): it counts with the setup, outside the steps.
 * A batch that records several steps' completions (troupe writes one batch
 * per macrotask, and fast steps can finish within one) is shared equally
 * among them.
 */
export class StepLedger {
  readonly bytes: number[];
  readonly batches: number[];
  readonly operations: number[];
  setupBytes = 0;
  setupBatches = 0;
  phaseCheckpointBytes = 0;
  #inFlight: number | null = null;

  constructor(readonly steps: number) {
    this.bytes = new Array<number>(steps).fill(0);
    this.batches = new Array<number>(steps).fill(0);
    this.operations = new Array<number>(steps).fill(0);
  }

  readonly #uncounted: { written: WrittenBatch; steps: readonly number[]; boundary: boolean }[] = [];
  /**
   * By step, the bytes of the batch that wrote that step alone (undefined
   * where a batch wrote several). troupe writes one batch per macrotask, so
   * while a write is in flight the next steps share one (one snapshot and
   * record for several steps): bytes per step then follow how the run
   * happened to group them, and whether what a step writes grows with the
   * plan is read from the steps written alone — in a batch that starts or
   * ends no phase (the first step's completion can ride in the batch that
   * enters execute, with that phase's checkpoint).
   */
  readonly single: (number | undefined)[] = [];

  add(written: WrittenBatch, events: readonly StepEvent[]): void {
    const completed: number[] = [];
    let started: number | null = null;
    for (const event of events) {
      const index = indexOf(event);
      if ((event.type === 'step.completed' || event.type === 'step.failed') && index !== null) completed.push(index);
      if (event.type === 'step.started') started = index ?? started;
    }
    const endsPhase = events.some((event) => event.type === 'phase.completed' || event.type === 'phase.failed');
    // a batch that also starts or ends a phase carries that phase's writes (its checkpoint, the strategy's decisions)
    const boundary = events.some((event) => event.type.startsWith('phase.'));
    const steps = (
      completed.length > 0 ? completed : this.#inFlight === null || endsPhase ? [] : [this.#inFlight]
    ).filter((step) => step >= 0 && step < this.steps);
    if (started !== null) this.#inFlight = started;
    if (steps.length === 0) this.setupBatches += 1;
    for (const step of steps) {
      this.batches[step]! += 1 / steps.length;
      this.operations[step]! += written.operations / steps.length;
    }
    this.#uncounted.push({ written, steps, boundary });
  }

  /** Counts the bytes of the batches added so far (after the run: see {@link WrittenBatch.bytes}). */
  count(): void {
    for (const { written, steps, boundary } of this.#uncounted.splice(0)) {
      const phaseCheckpointBytes = written.phaseCheckpointBytes ?? 0;
      this.phaseCheckpointBytes += phaseCheckpointBytes;
      const bytes = (typeof written.bytes === 'number' ? written.bytes : written.bytes()) - phaseCheckpointBytes;
      if (steps.length === 0) this.setupBytes += bytes;
      for (const step of steps) this.bytes[step]! += bytes / steps.length;
      if (steps.length === 1 && !boundary) this.single[steps[0]!] = (this.single[steps[0]!] ?? 0) + bytes;
    }
  }
}

/** Times of the steps as subscribers see them: after the batch that records them is written. */
export class StepClock {
  firstStarted: number | null = null;
  ended: number | null = null;
  readonly completedAt: number[] = [];

  started(index: number, now = performance.now()): void {
    if (index === 0 && this.firstStarted === null) this.firstStarted = now;
  }

  completed(index: number, now = performance.now()): void {
    this.completedAt[index] = now;
  }

  end(now = performance.now()): void {
    this.ended = now;
  }

  /** Feed a journal event as published. */
  see(event: StepEvent, endsWith: (event: StepEvent) => boolean): void {
    const index = indexOf(event);
    if (event.type === 'step.started' && index !== null) this.started(index);
    if (event.type === 'step.completed' && index !== null) this.completed(index);
    if (endsWith(event)) this.end();
  }
}

/** The figures of a run from its ledger and clock; throws when the run did not go through. */
export function figuresOf(ledger: StepLedger, clock: StepClock): RunFigures {
  ledger.count();
  const { steps } = ledger;
  if (clock.firstStarted === null || clock.ended === null)
    throw new Error('the run never started or never ended its steps');
  const missing = ledger.batches.findIndex((count) => count === 0);
  if (missing >= 0) throw new Error(`no batch was written for step ${missing + 1}`);
  const durations: number[] = [];
  for (let index = 0; index < steps; index++) {
    const end = clock.completedAt[index];
    const start = index === 0 ? clock.firstStarted : clock.completedAt[index - 1];
    if (end === undefined || start === undefined) throw new Error(`step ${index + 1} has no completion time`);
    durations.push(end - start);
  }
  const tenth = Math.max(1, Math.floor(steps / 10));
  const totalBatches = sum(ledger.batches);
  const msTotal = clock.ended - clock.firstStarted;
  return {
    steps,
    msTotal,
    msPerStep: msTotal / steps,
    msPerStepFirstTenth: mean(durations.slice(0, tenth)),
    msPerStepLastTenth: mean(durations.slice(-tenth)),
    bytesAtStep10: nearestSingle(ledger, Math.min(9, steps - 1), 1),
    bytesAtLastStep: nearestSingle(ledger, steps - 1, -1),
    bytesPerStepMean: sum(ledger.bytes) / steps,
    bytesFirstTenth: meanSingle(ledger, 0, tenth),
    bytesLastTenth: meanSingle(ledger, steps - tenth, steps),
    batchesPerStep: totalBatches / steps,
    operationsPerBatch: sum(ledger.operations) / totalBatches,
    setupBytes: ledger.setupBytes,
    phaseCheckpointBytes: ledger.phaseCheckpointBytes,
  };
}

// the bytes of the one-step batch at `from`, or the next one in `direction` (the step's own share when none is)
function nearestSingle(ledger: StepLedger, from: number, direction: 1 | -1): number {
  for (let step = from; step >= 0 && step < ledger.steps; step += direction) {
    const bytes = ledger.single[step];
    if (bytes !== undefined) return bytes;
  }
  return ledger.bytes[from]!;
}

// mean bytes of the one-step batches of steps [from, to), or of the steps' shares when none wrote alone
function meanSingle(ledger: StepLedger, from: number, to: number): number {
  const alone = ledger.single.slice(from, to).filter((bytes): bytes is number => bytes !== undefined);
  return alone.length > 0 ? mean(alone) : mean(ledger.bytes.slice(from, to));
}

/** Bytes of a put as troupe's store counts them: key plus JSON value, UTF-8. */
export function putBytes(key: string, value: unknown): number {
  return Buffer.byteLength(key) + Buffer.byteLength(JSON.stringify(value));
}

export function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : sum(values) / values.length;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Each figure's median over runs (figure by figure). */
export function medianFigures(runs: readonly RunFigures[]): RunFigures {
  if (runs.length === 0) throw new Error('no runs');
  const keys = Object.keys(runs[0]!) as (keyof RunFigures)[];
  return Object.fromEntries(keys.map((key) => [key, median(runs.map((run) => run[key]))])) as unknown as RunFigures;
}

/** Mean time of `fn` over `times` calls after one call to warm up, in ms. */
export async function timeEach(times: number, fn: () => Promise<unknown>): Promise<number> {
  await fn();
  const started = performance.now();
  for (let i = 0; i < times; i++) await fn();
  return (performance.now() - started) / times;
}

/** The machine the figures come from. */
export function environment(): Record<string, string> {
  let git = 'unknown';
  try {
    git = execFileSync('git', ['--version'], { encoding: 'utf8' })
      .trim()
      .replace(/^git version /, '');
  } catch {
    // git is needed by the troupe side anyway; its version is only informative
  }
  const cpu = cpus();
  return {
    node: process.version,
    cpu: cpu[0]?.model.trim() ?? 'unknown',
    cores: `${cpu.length} (available parallelism ${availableParallelism()})`,
    os: `${platform()} ${release()}`,
    git,
  };
}

/** A plain-text table, columns padded; numbers are formatted by the caller. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/** A figure with sensible digits: 3 significant below 10, else whole (thousands grouped). */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '—';
  if (Math.abs(value) < 10) return value.toPrecision(3);
  return Math.round(value).toLocaleString('en-US');
}

export function formatRatio(value: number): string {
  return Number.isFinite(value) ? `${value.toFixed(value < 10 ? 2 : 0)}×` : '—';
}
