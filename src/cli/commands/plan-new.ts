import { ValidationError } from '../../domain/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatPlanRecord, nextStepHint } from '../format/plan-record.js';
import { replaceOpenPlan } from '../confirm-replace.js';
import { createPlanFromFile } from './plan-file.js';

/** Options of `troupe plan new` without a file. */
export interface PlanNewOptions {
  name?: string;
  goal?: string;
  automation?: string;
  scope?: string[];
  definitionOfDone?: string;
  /** Take the name of an ended plan: it is deleted first. */
  replace?: boolean;
}

/** `troupe plan new <file> | --name N --goal G [...]`: create a plan without running it. */
export async function planNew(
  context: CommandContext,
  file: string | undefined,
  options: PlanNewOptions,
): Promise<number> {
  const { replace, ...fields } = options;
  const flags = Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key]) => `--${key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
  if (file && flags.length > 0) {
    throw new ValidationError(
      [{ path: flags[0]!, message: 'cannot be combined with a plan file: give the file, or the flags' }],
      {
        hint: 'put the field in the plan file instead',
      },
    );
  }
  const runtime = await context.runtime();
  const record = file
    ? await createPlanFromFile(runtime, context.dir, file, {
        replace: replace === true,
        replaceOpen: (holder, command) => replaceOpenPlan(context, runtime, holder, command),
      })
    : await runtime.createPlan(
        {
          name: options.name,
          goal: options.goal,
          ...(options.automation === undefined ? {} : { automation: options.automation }),
          ...(options.scope === undefined ? {} : { resourceScopes: options.scope }),
          ...(options.definitionOfDone === undefined ? {} : { definitionOfDone: options.definitionOfDone }),
        },
        { origin: 'options', ...(replace ? { replace: true } : {}) },
      );
  context.out.result(record, () => `created ${formatPlanRecord(record, context.out)}\n${nextStepHint(record)}`);
  return EXIT.ok;
}
