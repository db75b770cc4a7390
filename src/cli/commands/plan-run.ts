import { relative, resolve, sep } from 'node:path';
import { PHASES, ValidationError, type MergeStrategy, type Phase, type PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';
import { exitCodeForPlan } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { planSummary } from '../plan-summary.js';
import { showProgress, type ShowProgressOptions } from '../show-progress.js';
import { createPlanFromFile, isPlanFile, readPlanFileText } from './plan-file.js';
import { forTerminal, quotedPath } from '../../domain/terminal-text.js';
import { replaceOpenPlan } from '../confirm-replace.js';

/** The flags of the commands that drive a plan: how far, and whether its child plans show their steps. */
export interface DriveFlags {
  until?: string;
  verbose?: boolean;
  /** plan run with a file: take the name of a plan that has ended. */
  replace?: boolean;
  /** plan run: run it on a worker (docs/how-to/scale-out.md). */
  remote?: boolean;
}

/**
 * `troupe plan run <plan|file> [--until <phase>] [--remote]`: drive a plan
 * as far as its automation (or --until) allows — with `--remote`, on a
 * worker (docs/how-to/scale-out.md). A file creates the plan first.
 * Exit 0 where it stopped, 1 if it failed, 3 if it waits for the user.
 */
export async function planRun(context: CommandContext, target: string, options: DriveFlags): Promise<number> {
  const until = options.until === undefined ? undefined : parsePhase(options.until, '--until');
  const runtime = await context.runtime();
  const created = await isPlanFile(context.dir, target);
  // a run no worker can take is refused before the file makes a plan
  if (options.remote && created) await checkRemoteRun(context.dir, until);
  if (options.replace && !created) {
    throw new ValidationError([{ path: '--replace', message: `takes a plan file, and ${target} is not one` }], {
      hint: `troupe plan run <file> --replace creates the plan of the file again under its name`,
    });
  }
  const replaceOpen = (holder: PlanRecord, command: string) => replaceOpenPlan(context, runtime, holder, command);
  const record = created
    ? await createPlanFromFile(runtime, context.dir, target, {
        runHint: true,
        replace: options.replace === true,
        replaceOpen,
      })
    : await runtime.getPlan(target);
  // the plan starts from the last commit: edits the user has not committed are not in it
  if (created && !options.remote) await sayUncommitted(context, target, record);
  // a plan made by this command streams from its plan.created
  const run = { ...(until ? { until } : {}), ...(options.remote ? { remote: true } : {}) };
  return drive(context, runtime, record, () => runtime.run(record.id, run), {
    replayAfter: created ? 0 : null,
    verbose: options.verbose === true,
  });
}

/**
 * `troupe plan finish <plan> [--until <phase>]` (SPEC §16): an agent-driven
 * plan open for tool calls ends execute and is driven on as `plan run`
 * would (its automation, or --until). Exit codes as `plan run`.
 */
export async function planFinish(context: CommandContext, ref: string, options: DriveFlags): Promise<number> {
  const until = options.until === undefined ? undefined : parsePhase(options.until, '--until');
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  return drive(context, runtime, record, () => runtime.finish(record.id, until ? { until } : {}), {
    verbose: options.verbose === true,
  });
}

/** `troupe plan strategize|execute|validate|apply <plan>`: run exactly that phase (apply: `--strategy`). */
export function planPhase(phase: Phase) {
  return async (
    context: CommandContext,
    ref: string,
    options: { strategy?: MergeStrategy; verbose?: boolean },
  ): Promise<number> => {
    const runtime = await context.runtime();
    const record = await runtime.getPlan(ref);
    return drive(
      context,
      runtime,
      record,
      () => runtime.runPhase(record.id, phase, options.strategy ? { strategy: options.strategy } : {}),
      { verbose: options.verbose === true },
    );
  };
}

// drives the plan, showing its progress, then prints where it stopped
async function drive(
  context: CommandContext,
  runtime: Runtime,
  record: PlanRecord,
  go: () => Promise<PlanRecord>,
  options: ShowProgressOptions,
): Promise<number> {
  const { out } = context;
  const final = await showProgress(context, runtime, record, go, options);
  const text = out.options.json ? '' : await planSummary(runtime, final, out);
  out.result(final, () => text);
  return exitCodeForPlan(final);
}

// at most this many of the user's uncommitted files are named
const UNCOMMITTED_SHOWN = 5;

// `! 2 uncommitted files in the paths demo/x may write are not in its base …`: a note, never a refusal
async function sayUncommitted(context: CommandContext, file: string, record: PlanRecord): Promise<void> {
  if (record.sandbox !== null) return;
  const [{ findProjectRoot, uncommittedInScope }, { parsePlanFile }] = await Promise.all([
    import('../../runtime/index.js'),
    import('../../domain/index.js'),
  ]);
  const spec = parsePlanFile(await readPlanFileText(context.dir, file), { origin: file });
  const root = await findProjectRoot(context.dir);
  // the plan file itself is often new: it is what runs, not what the plan works on
  const own = relative(root, resolve(context.dir, file)).split(sep).join('/');
  const files = (await uncommittedInScope(root, spec.resourceScopes)).filter((path) => path !== own);
  if (files.length === 0) return;
  const { out } = context;
  const named = files.slice(0, UNCOMMITTED_SHOWN).map((path) => quotedPath(path));
  const more = files.length > UNCOMMITTED_SHOWN ? ` and ${files.length - UNCOMMITTED_SHOWN} more` : '';
  const count = files.length === 1 ? '1 file' : `${files.length} files`;
  out.note(
    `${out.paint('yellow', '!')} ${count} you have not committed ${files.length === 1 ? 'is' : 'are'} in the paths ${forTerminal(record.name)} may write: ${named.join(', ')}${more} — ` +
      `the plan starts from your last commit and does not see ${files.length === 1 ? 'it' : 'them'} (commit them first if it should; docs/reference/plan-file.md#resource-scopes)`,
  );
}

/** A phase name from a flag, or a VALIDATION_ERROR naming the flag. */
export function parsePhase(value: string, flag: string): Phase {
  if ((PHASES as readonly string[]).includes(value)) return value as Phase;
  throw new ValidationError([{ path: flag, message: `must be one of ${PHASES.join(', ')} (got "${value}")` }]);
}

// `--remote` needs the settings a worker needs (a PostgreSQL store, a queue, a remote) and goes at most to validate
async function checkRemoteRun(dir: string, until: Phase | undefined): Promise<void> {
  if (until === 'apply') {
    throw new ValidationError(
      [
        {
          path: '--until',
          message: 'a plan run on a worker goes at most to validate: it is applied where the project is',
        },
      ],
      { hint: 'run it with --until validate, then troupe plan apply <plan> here' },
    );
  }
  const [{ findProjectRoot, loadProjectConfig }, { workerSettings }] = await Promise.all([
    import('../../runtime/index.js'),
    import('../../runtime/workers/index.js'),
  ]);
  workerSettings(await loadProjectConfig(await findProjectRoot(dir)));
}
