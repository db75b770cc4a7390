import { lstat } from 'node:fs/promises';
import { TroupeError, type BuiltInInvariant } from '../../src/domain/index.js';
import { builtCheck } from './define-check.js';
import type { CheckContext } from './types.js';

type FileInvariant = Extract<BuiltInInvariant, { check: 'file-exists' | 'file-absent' }>;

/** `file-exists`: `path` exists in the sandbox (a file, directory or link that stays inside). */
export const fileExistsCheck = presenceCheck('file-exists', 'the path exists in the sandbox', true);

/** `file-absent`: `path` does not exist in the sandbox. */
export const fileAbsentCheck = presenceCheck('file-absent', 'the path does not exist in the sandbox', false);

function presenceCheck(name: FileInvariant['check'], description: string, wanted: boolean) {
  return builtCheck({
    name,
    description,
    readOnly: true,
    async run(invariant, context) {
      const { path } = invariant as unknown as FileInvariant;
      const found = await exists(path, context);
      // a path that would leave the sandbox is never a pass, whichever way round
      if (typeof found === 'string') return { passed: false, message: found };
      return {
        passed: found === wanted,
        message: found ? `${path} exists` : wanted ? `${path} does not exist` : `${path} is absent`,
      };
    },
  });
}

// true / false, or why the path cannot be checked (it would leave the sandbox)
async function exists(path: string, context: CheckContext): Promise<boolean | string> {
  let absolute: string;
  try {
    absolute = await context.paths.resolve(path, 'read');
  } catch (error) {
    if (error instanceof TroupeError) return `${error.code}: ${error.message}`;
    throw error;
  }
  try {
    await lstat(absolute);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}
