// What an embedding program or the CLI may hand createRuntime (SPEC §17, docs/reference/embedding.md).
import type { InspectionEvent } from 'xstate';
import type { Store } from '../store/index.js';
import type { AnyToolSpec } from '../tools/index.js';
import type { AnyCheckSpec } from '../../actors/index.js';
import type { ActorOptions } from './plugins/index.js';
import type { PlanQueue } from './workers/index.js';
import type { RemoteBranches } from '../sandbox/remote-branches.js';
import type { InspectorOptions } from './inspector/index.js';
import type { ModelOptions } from '../models/index.js';

/**
 * Options of {@link createRuntime}.
 *
 * @example
 * const options: RuntimeOptions = { dir: '/path/to/repo', store: 'memory', tools: [greet], resume: false };
 * const runtime = await createRuntime(options);
 */
export interface RuntimeOptions {
  /** A directory inside the project's git repository (default: the current directory). */
  dir?: string;
  /**
   * `'level'` (LevelDB at `<project>/.troupe/db`), `'memory'`, or a Store of
   * your own. Unset: the store `.troupe/config.json` or `TROUPE_DATABASE_URL`
   * chooses (docs/reference/plan-file.md#store), LevelDB when neither does.
   */
  store?: 'level' | 'memory' | Store;
  /** Strategist and executor implementations (SPEC §14). */
  actors?: ActorOptions;
  /** Tools besides the built-ins, made with `defineTool`. */
  tools?: AnyToolSpec[];
  /** Invariant checks besides the built-ins, made with `defineCheck`; plan files name them in `invariants[].check`. */
  checks?: AnyCheckSpec[];
  /**
   * What a plugin of `.troupe/config.json` that does not load does (SPEC
   * §17): `'throw'` (default) — `createRuntime` rejects with its
   * `VALIDATION_ERROR`; `'defer'` — the runtime opens, reads, cancels and
   * manages checkpoints, and rejects with that error whatever could run a
   * plan (createPlan, run, resume…), restoring none. The CLI defers.
   */
  pluginErrors?: 'throw' | 'defer';
  /**
   * Inspection of every plan actor and its children (supervisor, reconciler).
   * A function is an XState inspection observer, called with raw events.
   * `true` or `{ port }` starts the `@statelyai/inspect` bridge on 127.0.0.1
   * (default port 8080; a port in use is a `VALIDATION_ERROR`): open
   * `runtime.inspector.url` in a browser. It stops with `runtime.close()`.
   */
  inspect?: ((event: InspectionEvent) => void) | true | InspectorOptions;
  /**
   * Continue interrupted work as the runtime starts (default true): every
   * plan that was running when its process stopped gets its actor again.
   * Plans at rest are restored whenever something acts on them, either way.
   */
  resume?: boolean;
  /**
   * The directory whose `.troupe/config.json` (and plugins) the runtime
   * takes, when not the project's own: a worker runs plans in its clone
   * with the settings of the directory it was started in.
   */
  configRoot?: string;
  /**
   * Child plans run on workers (docs/how-to/scale-out.md): the queue their jobs go
   * to and the shared remote their branches travel through; `publish`: this
   * runtime is a worker's, pushing every sandbox's branch after each step
   * commit. `null`: every plan runs in this process, whatever the settings
   * name (a worker's start check runs so).
   */
  scaleOut?: { queue: PlanQueue; remote: RemoteBranches; publish?: boolean } | null;
  /** Where problems nobody waits for are reported (default: stderr). */
  report?: (message: string, error: unknown) => void;
  /**
   * Where warnings go, one line each (default: stderr): today the one said
   * when a command first runs unconfined (`"sandbox": {"mode": "off"}`).
   */
  warn?: (message: string) => void;
  /**
   * How plans meet an outage of a PostgreSQL store (docs/how-to/scale-out.md):
   * `timeoutMs` — how long writes wait for the database, the plans paused
   * where they are (default `store.outageTimeoutMs`, else 5 minutes; 0 fails
   * at once with `STORE_UNAVAILABLE`, as `--no-wait` does); `say` — where the
   * one line saying it waits, and the one saying it is back, go (default:
   * stderr).
   */
  storeOutage?: { timeoutMs?: number; say?: (line: string) => void };
  /**
   * How plans reach their models (docs/how-to/agents.md, docs/reference/embedding.md#models):
   * language models of your own by the `model` a plan names (a mock in
   * tests), how a failing call is retried (`retries`, `retryDelayMs`), and
   * more origins keys may go to (`endpoints`, besides the config's
   * `models.endpoints`: docs/how-to/agents.md#keys).
   */
  models?: ModelOptions;
}
