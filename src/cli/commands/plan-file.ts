import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NotFoundError, TroupeError, ValidationError, type PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';

/** Whether `target` names a plan file on disk (rather than a plan). */
export async function isPlanFile(dir: string, target: string): Promise<boolean> {
  try {
    return (await stat(resolve(dir, target))).isFile();
  } catch {
    return false;
  }
}

/**
 * Create a plan from a file: read here, sent as text, so the process that
 * owns the store needs no access to this directory.
 */
export async function createPlanFromFile(runtime: Runtime, dir: string, file: string, options: { runHint?: boolean } = {}): Promise<PlanRecord> {
  let text: string;
  try {
    text = await readFile(resolve(dir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError('plan file', file, 'check the path');
    throw new TroupeError('VALIDATION_ERROR', `cannot read plan file ${file}: ${(error as Error).message}`);
  }
  try {
    return await runtime.createPlan(text, { origin: file });
  } catch (error) {
    // `plan run <file>` twice: the plan exists; running it by name is what was meant
    if (options.runHint && error instanceof ValidationError && error.issues.some((issue) => issue.path === 'name' && issue.message.includes('already exists'))) {
      const name = /"([^"]+)"/.exec(error.issues[0]!.message)?.[1] ?? 'the plan';
      throw new ValidationError(error.issues, { hint: `it exists already: run it by name with troupe plan run ${name}` });
    }
    throw error;
  }
}
