// The floor: what a step costs with nothing but XState v5 and LevelDB. A
// bare machine loops N times through a state that invokes a trivial
// promise actor; a subscription writes ONE batch per transition (the
// persisted snapshot and a small journal event) to a fresh `level`
// database. With `withTool`, each step also does troupe's step's actual
// work — the same fs/read-file call through a ToolRunner — so the gap to
// troupe is what troupe adds around the work.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createPathGuard } from '../../src/sandbox/index.js';
import { ToolRunner, createToolRegistry } from '../../src/tools/index.js';
import { Level } from 'level';
import { ulid } from 'ulid';
import { assign, createActor, fromPromise, setup, type SnapshotFrom } from 'xstate';
import { tempDir } from '../helpers/temp.js';
import { StepClock, StepLedger, figuresOf, putBytes, type RunFigures, type StepEvent } from './measure.js';
import { READ_FILE } from './plan-steps.bench.js';

/** What a floor run is given. */
export interface FloorOptions {
  steps: number;
  /** Also make each step's tool call (fs/read-file of a small file, through a ToolRunner). */
  withTool?: boolean;
}

interface FloorContext {
  count: number;
  total: number;
}

const floorMachine = setup({
  types: {
    context: {} as FloorContext,
    input: {} as { total: number },
    events: {} as { type: 'run' },
  },
  actors: {
    // provided per run
    work: fromPromise<number, { index: number }>(async ({ input }) => input.index),
  },
  guards: {
    hasMoreSteps: ({ context }) => context.count < context.total,
  },
}).createMachine({
  id: 'floor',
  context: ({ input }) => ({ count: 0, total: input.total }),
  initial: 'idle',
  states: {
    idle: { on: { run: 'next' } },
    next: { always: [{ guard: 'hasMoreSteps', target: 'step' }, { target: 'done' }] },
    step: {
      invoke: {
        src: 'work',
        input: ({ context }) => ({ index: context.count }),
        onDone: { target: 'next', actions: assign({ count: ({ context }) => context.count + 1 }) },
      },
    },
    done: { type: 'final' },
  },
});

/** A floor run's figures, and its whole run timed as troupe's `run()` is end to end. */
export interface FloorFigures extends RunFigures {
  /** From the actor's start to the last batch written (the database already open), in ms. */
  msRun: number;
  /** Batches written. */
  batches: number;
}

/** One floor run in a fresh LevelDB; the figures as troupe's are measured. */
export async function runFloor(options: FloorOptions): Promise<FloorFigures> {
  const { steps } = options;
  const temp = await tempDir('troupe-bench-floor-');
  const db = new Level<string, unknown>(join(temp.dir, 'db'), { valueEncoding: 'json' });
  await db.open();
  try {
    const id = ulid();
    const ledger = new StepLedger(steps);
    const clock = new StepClock();
    let seq = 0;
    let batches = 0;
    let written: Promise<void> = Promise.resolve();
    let failure: unknown = null;

    const write = async (snapshot: unknown, events: StepEvent[], sync: boolean): Promise<void> => {
      const puts = [
        { type: 'put' as const, key: `snap!${id}`, value: snapshot },
        ...events.map((event) => ({
          type: 'put' as const,
          key: `evt!${id}!${String(++seq).padStart(12, '0')}`,
          value: { seq, ts: new Date().toISOString(), planId: id, ...event },
        })),
      ];
      // classic-level passes `sync` through; abstract-level's types leave it out
      await db.batch(puts, { sync } as object);
      batches += 1;
      // counted as troupe's store counts (serialized a second time, after the run)
      const bytes = () => puts.reduce((total, put) => total + putBytes(put.key, put.value), 0);
      ledger.add({ bytes, operations: puts.length }, events);
      for (const event of events) clock.see(event, () => false);
      // the final state's batch ends the run, as troupe's phase.completed does
      if (sync) clock.end();
    };

    const call = options.withTool ? await toolCall(temp.dir) : null;
    const machine = floorMachine.provide({
      actors: {
        work: fromPromise<number, { index: number }>(async ({ input }) => {
          if (call) await call();
          return input.index;
        }),
      },
    });
    const actor = createActor(machine, { input: { total: steps } });
    const finished = new Promise<void>((resolve, reject) => {
      actor.subscribe({
        next: (snapshot) => {
          const persisted = actor.getPersistedSnapshot();
          const events = eventsOf(snapshot);
          const sync = snapshot.status === 'done';
          written = written
            .then(() => write(persisted, events, sync))
            .catch((error: unknown) => {
              failure ??= error;
            });
          if (sync) void written.then(() => (failure ? reject(failure) : resolve()));
        },
        error: reject,
      });
    });
    const started = performance.now();
    actor.start();
    actor.send({ type: 'run' });
    await finished;
    const msRun = performance.now() - started;
    actor.stop();
    return { ...figuresOf(ledger, clock), msRun, batches };
  } finally {
    await db.close();
    await temp.cleanup();
  }
}

/** The small journal event a floor transition writes with its snapshot. */
function eventsOf(snapshot: SnapshotFrom<typeof floorMachine>): StepEvent[] {
  const { count } = snapshot.context;
  if (snapshot.status !== 'done' && !snapshot.matches('step')) return [];
  return count === 0
    ? [{ type: 'step.started', data: { index: 0 } }]
    : [{ type: 'step.completed', data: { index: count - 1 } }];
}

/** The step's work as troupe does it: fs/read-file of a small file through a ToolRunner, in a real path guard. */
async function toolCall(dir: string): Promise<() => Promise<void>> {
  const root = join(dir, 'sandbox');
  await mkdir(root, { recursive: true });
  await writeFile(join(root, READ_FILE), '# bench\n\nA small file every step reads.\n');
  const tools = new ToolRunner(createToolRegistry());
  const paths = await createPathGuard({ root });
  const runCommand = async (): Promise<never> => {
    throw new Error('the floor reads a file: it runs no command');
  };
  const context = {
    planId: 'floor',
    phase: 'execute' as const,
    cwd: root,
    paths,
    env: {},
    signal: new AbortController().signal,
    runCommand,
  };
  return async () => {
    const result = await tools.run('fs/read-file', { path: READ_FILE }, context);
    if (!result.success) throw new Error(result.error.message);
  };
}
