import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { newId } from '../../src/domain/index.js';
import { createGitSandboxes, type GitSandboxes } from '../../src/sandbox/index.js';
import { git, tempRepo, writeFiles } from '../helpers/temp.js';

// The git sandboxes of a real project repository in a temp dir: each test
// gets its own, with a README, src/a.txt and a .gitignore of build/.

/** The current test's project repository (set by the hooks of {@link useGitSandboxes}). */
export let repo: string;
/** The current test's git sandboxes of {@link repo}. */
export let sandboxes: GitSandboxes;
let cleanup: () => Promise<void>;

/** Registers the hooks that give each test of the file a fresh project and its sandboxes, and remove them after. */
export function useGitSandboxes(): void {
  beforeEach(async () => {
    ({ dir: repo, cleanup } = await tempRepo({
      'README.md': '# test\n',
      'src/a.txt': 'one\ntwo\nthree\n',
      '.gitignore': 'build/\n',
    }));
    // as `troupe init` does: the project's own commits never pick up sandboxes
    await writeFile(join(repo, '.git', 'info', 'exclude'), '.troupe/\n');
    sandboxes = createGitSandboxes(repo);
  });
  afterEach(async () => {
    await cleanup();
  });
}

/** A plan's id (a fresh ULID) and name, as ensure takes them. */
export const plan = (name = 'demo/x') => ({ id: newId(), name });

/** Commits files in the project itself (not in a sandbox); the new HEAD. */
export async function commitInProject(files: Record<string, string>, message = 'project change'): Promise<string> {
  await writeFiles(repo, files);
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', message);
  return git(repo, 'rev-parse', 'HEAD');
}
