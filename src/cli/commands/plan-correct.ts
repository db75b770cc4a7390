import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ValidationError, type PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';
import type { CorrectionRequest } from '../../runtime/index.js';
import { exitCodeForPlan } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { confirmRollback } from '../confirm-rollback.js';
import { planSummary } from '../plan-summary.js';
import { formatCorrection } from '../format/rollback.js';
import { planNames } from '../plan-names.js';
import { showProgress } from '../show-progress.js';
import { quoted } from './plan-rollback.js';

/** The flags of `troupe plan correct`. */
export interface CorrectFlags {
  mode?: string;
  to?: string;
  step?: string;
  reason?: string;
  verbose?: boolean;
}

/**
 * `troupe plan correct <plan> --mode revert [--to <cp>] [--reason …]` or
 * `--mode append --step <json|@file> [--reason …]` (SPEC §10). A revert
 * discards work like a rollback, so it asks the same way (`--yes`, or a yes
 * in a terminal); an append only adds steps and does not ask. The plan then
 * runs on per its automation; the exit code is where it stopped.
 */
export async function planCorrect(context: CommandContext, ref: string, flags: CorrectFlags): Promise<number> {
  // every flag is checked before the store is opened: bad input changes nothing
  const request = await correctionRequest(context.dir, flags);
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  if (request.mode === 'revert' && !context.yes) request.to = await confirmRevert(context, runtime, record, request);
  const result = await showProgress(context, runtime, record, () => runtime.correct(record.id, request), {
    verbose: flags.verbose === true,
  });
  const { out } = context;
  const summary = out.options.json ? '' : await planSummary(runtime, result.plan, out);
  const names = out.options.json
    ? new Map<string, string>()
    : await planNames(runtime, result.rollback?.childPlansInvalidated ?? []);
  out.result(result, () => formatCorrection(record.name, result, summary, out, names));
  return exitCodeForPlan(result.plan);
}

/** The correction the flags ask for, or a VALIDATION_ERROR naming the flag that is wrong. */
export async function correctionRequest(dir: string, flags: CorrectFlags): Promise<CorrectionRequest> {
  const hint = 'troupe plan correct <plan> --mode revert [--to <checkpoint>], or --mode append --step <json|@file>';
  if (flags.mode !== 'revert' && flags.mode !== 'append') {
    const message =
      flags.mode === undefined ? 'is required: revert or append' : `must be revert or append (got "${flags.mode}")`;
    throw new ValidationError([{ path: '--mode', message }], { hint });
  }
  const reason = flags.reason === undefined ? {} : { reason: flags.reason };
  if (flags.mode === 'revert') {
    if (flags.step !== undefined)
      throw new ValidationError(
        [{ path: '--step', message: 'is for --mode append: a revert goes back to a checkpoint' }],
        { hint },
      );
    return { mode: 'revert', ...(flags.to === undefined ? {} : { to: flags.to }), ...reason };
  }
  if (flags.to !== undefined)
    throw new ValidationError(
      [{ path: '--to', message: 'is for --mode revert: an append adds steps after the last executed one' }],
      { hint },
    );
  if (flags.step === undefined)
    throw new ValidationError(
      [{ path: '--step', message: 'is required with --mode append: the step(s) to append, as JSON or @file' }],
      { hint: STEP_HINT },
    );
  return { mode: 'append', steps: await parseSteps(dir, flags.step), ...reason };
}

const STEP_HINT = `e.g. --step '{"title": "Fix it", "tool": "fs/write-file", "input": {"path": "a.txt", "content": "…"}}', a list of such steps, or @steps.json`;

// `--step` is JSON inline, or `@file` relative to the directory the command runs in (like curl -d @file)
async function parseSteps(dir: string, value: string): Promise<unknown> {
  let text = value;
  let source = 'the value';
  if (value.startsWith('@')) {
    const file = value.slice(1);
    source = file;
    try {
      text = await readFile(resolve(dir, file), 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const message = code === 'ENOENT' ? `no file at ${file}` : `cannot read ${file}: ${(error as Error).message}`;
      throw new ValidationError([{ path: '--step', message }], { hint: STEP_HINT });
    }
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError(
      [{ path: '--step', message: `${source} is not valid JSON: ${(error as Error).message}` }],
      { hint: STEP_HINT },
    );
  }
}

// previews the revert and asks; returns the checkpoint agreed to, so the
// revert goes exactly there even if the plan moved on meanwhile
async function confirmRevert(
  context: CommandContext,
  runtime: Runtime,
  record: PlanRecord,
  request: Extract<CorrectionRequest, { mode: 'revert' }>,
): Promise<string> {
  // without --to the runtime picks the newest clean checkpoint before the current state
  const preview = await runtime.previewRollback(
    record.id,
    request.to === undefined ? { clean: true } : { to: request.to },
  );
  const flags = [
    request.to === undefined ? '' : ` --to ${quoted(request.to)}`,
    request.reason === undefined ? '' : ` --reason ${quoted(request.reason)}`,
  ].join('');
  await confirmRollback(context, {
    name: record.name,
    preview,
    operation: 'revert',
    question: `Revert ${record.name}?`,
    withYes: `troupe plan correct ${record.name} --mode revert${flags} --yes`,
  });
  return preview.checkpoint.id;
}
