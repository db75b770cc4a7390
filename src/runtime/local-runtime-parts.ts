import type { InspectionEvent } from 'xstate';
import type { ResourceLimits, NetworkSetting } from '../domain/index.js';
import type { ActorServices, CheckRegistry } from '../../actors/index.js';
import type { Store } from '../store/index.js';
import type { CommandSandbox } from '../sandbox/index.js';
import type { RemoteBranches } from '../sandbox/remote-branches.js';
import type { ToolRunner } from '../tools/index.js';
import type { OutagePolicy, PlanMemory } from './persistence/index.js';
import type { PlanQueue } from './workers/index.js';
import type { ChosenActors } from './plugins/index.js';
import type { Inspector } from './inspector/index.js';

/** What a LocalRuntime is built from (see createRuntime). */
export interface LocalRuntimeParts {
  dir: string;
  store: Store;
  tools: ToolRunner;
  /** The invariant checks plan files may name. */
  checks: CheckRegistry;
  /** The ports actors use; the runtime adds the child plans. */
  services: Omit<ActorServices, 'children' | 'checkpoints'>;
  actors: ChosenActors;
  /** Shared with the actor services: what live plans decided and their last records. */
  memory: PlanMemory;
  inspect?: (event: InspectionEvent) => void;
  /** An inspector bridge the runtime owns: it observes every actor and stops with the runtime. */
  inspector?: Inspector;
  now?: () => string;
  /** Where problems nobody waits for are reported (a failed write after the command returned). */
  report?: (message: string, error: unknown) => void;
  /** How the plans' commands run (SPEC §15); an unconfined one is warned about and journaled. */
  commands?: Pick<CommandSandbox, 'kind'>;
  /** How writes meet an unavailable store (a PostgreSQL store); without it they fail at once. */
  outage?: OutagePolicy;
  /** Where warnings go, one line each (default: stderr). */
  warn?: (message: string) => void;
  /** The project's resource limits (its `sandbox.limits` and the defaults): a plan file may only lower them. */
  limits?: ResourceLimits;
  /** The project's `network`: with an allow-list, a plan file may only narrow it. */
  network?: NetworkSetting;
  /** Child plans run on workers through this queue and remote (docs/how-to/scale-out.md); absent: every child runs here. */
  scaleOut?: { queue: PlanQueue; remote: RemoteBranches };
  /** `sandbox.allowLoaderEnv`: plan files may set loader variables (`LD_PRELOAD`…) in `env`. */
  allowLoaderEnv?: boolean;
}
