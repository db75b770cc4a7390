import { relative, resolve, sep } from 'node:path';
import { ValidationError } from '../../domain/index.js';
import type { ResolveChoice } from '../../runtime/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { formatResolved } from '../format/conflicts.js';

/** The flags of `troupe plan resolve`. */
export interface ResolveFlags {
  ours?: boolean;
  theirs?: boolean;
  use?: string;
  /** Take a `--use` file that holds conflict markers on purpose. */
  allowMarkers?: boolean;
}

/**
 * `troupe plan resolve <plan> <file> --ours|--theirs|--use <path>`: resolve
 * one conflicting file. Like git, `<file>` and `--use` are relative to the
 * directory the command runs in. A `--use` file that still holds conflict
 * markers is refused by the runtime, unless `--allow-markers`.
 */
export async function planResolve(
  context: CommandContext,
  ref: string,
  file: string,
  flags: ResolveFlags,
): Promise<number> {
  const choice = resolveChoice(flags);
  const runtime = await context.runtime();
  const record = await runtime.getPlan(ref);
  const fromProject = (path: string) => relative(runtime.dir, resolve(context.dir, path)).split(sep).join('/');
  const result = await runtime.resolve(
    record.id,
    projectPath(fromProject(file), file),
    choice.with === 'file' ? { ...choice, path: fromProject(choice.path) } : choice,
  );
  context.out.result(result, () => formatResolved(record.name, result, context.out));
  return EXIT.ok;
}

/** Exactly one of the three flags, as a choice. */
export function resolveChoice(flags: ResolveFlags): ResolveChoice {
  const given = [
    flags.ours ? '--ours' : null,
    flags.theirs ? '--theirs' : null,
    flags.use !== undefined ? '--use' : null,
  ].filter((flag) => flag !== null);
  if (given.length !== 1) {
    const message =
      given.length === 0
        ? 'say how to resolve it: one of --ours, --theirs, --use <path>'
        : `choose one of ${given.join(', ')}, not ${given.length}`;
    throw new ValidationError([{ path: 'resolution', message }], {
      hint: `--ours keeps ours (the project's branch in apply, the plan's sandbox in a child's merge), --theirs the other side (the plan, or the child plan), --use <path> takes a file you edited; troupe plan conflicts shows which`,
    });
  }
  if (flags.allowMarkers && flags.use === undefined) {
    throw new ValidationError(
      [
        {
          path: '--allow-markers',
          message: `goes with --use <path>: ${given[0]} takes a side of the merge, which holds no markers of its own`,
        },
      ],
      {
        hint: 'drop --allow-markers, or resolve with --use <path> --allow-markers',
      },
    );
  }
  if (flags.ours) return { with: 'ours' };
  if (flags.theirs) return { with: 'theirs' };
  return { with: 'file', path: flags.use!, ...(flags.allowMarkers ? { allowMarkers: true } : {}) };
}

// a file named from a subdirectory of the project means that subdirectory's file;
// one that leaves the project is passed as given, for the error to name it
function projectPath(fromRoot: string, given: string): string {
  return fromRoot === '' || fromRoot.startsWith('..') ? given : fromRoot;
}
