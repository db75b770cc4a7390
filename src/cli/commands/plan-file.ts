import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { NotFoundError, TroupeError, ValidationError, isTerminalStatus, type PlanRecord } from '../../domain/index.js';
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
export async function createPlanFromFile(runtime: Runtime, dir: string, file: string, options: { runHint?: boolean; replace?: boolean } = {}): Promise<PlanRecord> {
  let text: string;
  try {
    text = await readFile(resolve(dir, file), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NotFoundError('plan file', file, 'check the path');
    throw new TroupeError('VALIDATION_ERROR', `cannot read plan file ${file}: ${(error as Error).message}`);
  }
  try {
    return await runtime.createPlan(text, { origin: file, ...(options.replace ? { replace: true } : {}) });
  } catch (error) {
    // the name is taken: say what works for the plan that holds it
    const taken = error instanceof ValidationError ? error.issues.find((issue) => issue.path === 'name' && issue.message.includes('already exists')) : undefined;
    if (!taken) throw error;
    const name = /"([^"]+)"/.exec(taken.message)?.[1] ?? 'the plan';
    const holder = await runtime.getPlan(name).catch(() => null);
    const again = `troupe plan ${options.runHint ? 'run' : 'new'} ${file} --replace`;
    const hint =
      holder === null
        ? `choose another name, or see the plan with troupe plan status ${name}`
        : isTerminalStatus(holder.status)
          ? `it ${holder.status === 'done' ? 'is done' : `was ${holder.status}`}: take the name again with ${again} (the old plan is deleted), or choose another name`
          : options.runHint
            ? `it exists already: run it by name with troupe plan run ${name}; or cancel it (troupe plan cancel ${name}) and ${again}`
            : `it exists already (${holder.phase}, ${holder.status}): run it with troupe plan run ${name}, or cancel it (troupe plan cancel ${name}) and ${again}`;
    throw new ValidationError((error as ValidationError).issues, { hint });
  }
}
