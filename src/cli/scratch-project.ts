import { execFile } from 'node:child_process';
import { cp, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

// the scratch repo's first commit is the user's side of the story, not
// troupe's; it gets a neutral identity and ignores the machine's git config
const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_NAME: 'demo',
  GIT_AUTHOR_EMAIL: 'demo@localhost',
  GIT_COMMITTER_NAME: 'demo',
  GIT_COMMITTER_EMAIL: 'demo@localhost',
};

/** A new git repository in the temp dir holding a copy of `source`, committed once on `main`. */
export async function createScratchProject(source: string, prefix = 'troupe-demo-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  await cp(source, dir, { recursive: true });
  const git = (...args: string[]) => run('git', args, { cwd: dir, env: GIT_ENV });
  await git('init', '-q', '-b', 'main');
  await git('add', '-A');
  await git('commit', '-q', '-m', 'Initial commit');
  return dir;
}
