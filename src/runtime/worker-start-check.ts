// A worker's start check (docs/how-to/scale-out.md#a-workers-start-check): before it
// takes a job, a worker runs one plan of its own here, end to end — a command
// in its sandbox, the step's commit — in a throwaway repository on a memory
// store, with the settings of the directory it was started in. A machine that
// cannot run plans (no bubblewrap, a sandbox setting that names the wrong
// binary, git that cannot commit) refuses to start instead of taking jobs and
// failing each one; and a fresh process compiles some of the code every child
// runs (the snapshot's checks, scope globs) before its first child, not while
// the queue waits on it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroupeError } from '../domain/index.js';
import { gitCommand } from '../sandbox/git-command.js';
import { createRuntime } from './create-runtime.js';
import type { RuntimeOptions } from './runtime-options.js';

/** The file the start check's command writes, and what it writes there. */
const CHECK_FILE = 'start-check.txt';
const CHECK_TEXT = 'ok';

const CHECK_PLAN = `name: worker/start-check
goal: Check that this machine runs a plan end to end before it takes jobs
automation: auto
resourceScopes: [${CHECK_FILE}]
strategy:
  steps:
    - title: Write a file from a command
      tool: shell/run
      input:
        command: printf ${CHECK_TEXT} > ${CHECK_FILE}
`;

const HINT =
  "run `troupe doctor` in the worker's directory: it says what this machine lacks to run plans (docs/how-to/scale-out.md#a-workers-start-check)";

/**
 * Run one plan end to end on this machine, as a worker would run a child —
 * its command in the sandbox the settings of `configRoot` choose, its step
 * committed — and resolve to how long it took (ms). Nothing is written
 * outside a temporary directory, removed before it returns; the shared
 * store, queue and remote are not touched. A plan that does not complete is
 * a {@link TroupeError} with its failure's code (`SANDBOX_UNAVAILABLE` when
 * bubblewrap is missing), naming what failed and how to find out more.
 *
 * @example
 * const ms = await checkRunsPlans('/srv/worker', { warn: (line) => console.error(line) });
 */
export async function checkRunsPlans(
  configRoot: string,
  options: Pick<RuntimeOptions, 'warn' | 'report'> = {},
): Promise<number> {
  const started = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'troupe-worker-check-'));
  try {
    await initialCommit(dir);
    // every plan here, whatever the settings name for child plans: the check is of this machine alone
    const runtime = await createRuntime({
      dir,
      configRoot,
      store: 'memory',
      scaleOut: null,
      resume: false,
      ...options,
    });
    try {
      const plan = await runtime.createPlan(CHECK_PLAN);
      // as a worker runs a child: a phase, the plan let go, then restored from what the store holds and run on
      await runtime.runRootJob(plan.id, 'strategize');
      const done = await runtime.runRootJob(plan.id, 'validate');
      if (done.status !== 'complete') {
        const error = done.error;
        throw new TroupeError(
          error?.code ?? 'INTERNAL_ERROR',
          `this machine cannot run plans: the worker's start check failed in ${done.phase}: ${error?.message ?? done.status}`,
          {
            // the failure's own fix when it has one (bubblewrap's names the package and the setting), else where to look
            hint: error?.hint ?? HINT,
          },
        );
      }
      // the command's file is in the step's commit: the sandbox commits what a command writes
      const written = await gitCommand(dir)
        .run(['show', `${done.sandbox?.headCommit ?? 'HEAD'}:${CHECK_FILE}`])
        .catch(() => null);
      if (written !== CHECK_TEXT) {
        throw new TroupeError(
          'INTERNAL_ERROR',
          `this machine cannot run plans: the worker's start check ran its command, but its step's commit does not hold ${CHECK_FILE}`,
          { hint: HINT },
        );
      }
    } finally {
      await runtime.close();
    }
    return Math.round(performance.now() - started);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// a repository of one commit, made by git as troupe runs it: troupe's identity, no hooks, no signing, whatever the machine's config
async function initialCommit(dir: string): Promise<void> {
  const git = gitCommand(dir);
  await git.plumb(['init', '--quiet']);
  await writeFile(join(dir, 'README.md'), '# A worker checks that it runs plans\n');
  await git.plumb(['add', 'README.md']);
  await git.plumb(['commit', '--quiet', '-m', 'start check']);
}
