import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { TroupeError, ValidationError, closestMatch, isTerminalStatus, type PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';
import { openPlanRefused } from '../confirm-replace.js';

// A plan name is namespace/name of a-z, 0-9 and "-", an id is base32: neither
// holds a ".", starts with "." or "/" or "~", or holds a "\". So a target
// that does is a path, whether or not the file is there.
const PATH_LIKE = /^(\.{1,2}[\\/]|[\\/]|~)|\\|\.(ya?ml|json)$/i;

/**
 * Whether `target` is a plan file rather than a plan: a file that exists,
 * or a target that looks like a path (`./plans/x`, `plans/x.yml`,
 * `/abs/x.json`) — which then gets "no such file" rather than "no plan
 * matches" when it is not there.
 */
export async function isPlanFile(dir: string, target: string): Promise<boolean> {
  if (PATH_LIKE.test(target)) return true;
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
export async function createPlanFromFile(
  runtime: Runtime,
  dir: string,
  file: string,
  options: {
    runHint?: boolean;
    replace?: boolean;
    replaceOpen?: (holder: PlanRecord, command: string) => Promise<void>;
  } = {},
): Promise<PlanRecord> {
  const text = await readPlanFileText(dir, file, { runHint: options.runHint === true });
  try {
    return await runtime.createPlan(text, { origin: file, ...(options.replace ? { replace: true } : {}) });
  } catch (error) {
    // --replace of a plan that has not ended: cancel it (after asking), then take its name
    const open = options.replaceOpen ? openPlanRefused(error) : null;
    if (open !== null) {
      await options.replaceOpen!(
        await runtime.getPlan(open),
        `troupe plan ${options.runHint ? 'run' : 'new'} ${file} --replace`,
      );
      return await runtime.createPlan(text, { origin: file, replace: true });
    }
    // the name is taken: say what works for the plan that holds it
    const taken =
      error instanceof ValidationError
        ? error.issues.find((issue) => issue.path === 'name' && issue.message.includes('already exists'))
        : undefined;
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
            ? `it exists already: run it by name with troupe plan run ${name}; or replace it with ${again} (it is cancelled first, after asking)`
            : `it exists already (${holder.phase}, ${holder.status}): run it with troupe plan run ${name}, or replace it with ${again} (it is cancelled first, after asking)`;
    throw new ValidationError((error as ValidationError).issues, { hint });
  }
}

/**
 * The text of a plan file, read here (`-C` or the current directory): the
 * process that owns the store may not see this directory. A missing file is
 * `NOT_FOUND` naming a plan file of a close name beside it; a directory or
 * an unreadable file is `VALIDATION_ERROR`.
 *
 * @example
 * const text = await readPlanFileText(context.dir, 'plans/x.yaml');
 */
export async function readPlanFileText(
  dir: string,
  file: string,
  options: { runHint?: boolean } = {},
): Promise<string> {
  const path = resolve(dir, file);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new TroupeError('NOT_FOUND', `no such file: ${file}${path === file ? '' : ` (${path})`}`, {
        hint: await missingFileHint(path, file, options.runHint === true),
        details: { path },
      });
    }
    if (code === 'EISDIR')
      throw new TroupeError('VALIDATION_ERROR', `${file} is a directory, not a plan file`, {
        hint: 'name a YAML or JSON plan file in it',
        details: { path },
      });
    throw new TroupeError('VALIDATION_ERROR', `cannot read plan file ${file}: ${(error as Error).message}`, {
      details: { path },
    });
  }
}

// a plan file beside it with a close name, else where it was looked for
async function missingFileHint(path: string, file: string, run: boolean): Promise<string> {
  const siblings = await readdir(dirname(path)).catch(() => [] as string[]);
  const close = closestMatch(
    basename(path),
    siblings.filter((name) => /\.(ya?ml|json)$/i.test(name)),
  );
  if (close !== null) return `did you mean ${join(dirname(file), close)}?`;
  return run
    ? 'check the path (relative to the current directory or -C); to run an existing plan, give its name, id or id prefix (troupe plan list shows them)'
    : 'check the path (relative to the current directory or -C)';
}
