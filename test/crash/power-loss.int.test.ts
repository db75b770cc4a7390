import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { GIT_ENV } from '../helpers/temp.js';
import { findLazyfs, mountPowerLossDisk, type PowerLossDisk } from './lazyfs.js';

// Power loss (issue 73): troupe runs a plan on a project held by LazyFS, and
// the power is cut — the process killed, every write not yet synced dropped —
// at the moments a record of troupe's names git state: after strategize
// (a new worktree), after a step, after a merge, after an acknowledged
// apply. Opened again as a user would, the project must hold what the
// records say: the plan goes on to validate, git finds nothing missing, an
// apply that was acknowledged is on the branch.

const lazyfs = findLazyfs();
const CHILD = join(import.meta.dirname, 'power-child.ts');
const PLAN = stringify({
  name: 'power/cut',
  goal: 'Survive a power cut',
  automation: 'review',
  resourceScopes: ['**'],
  validate: [
    { run: 'test "$(cat a.txt)" = alpha && test "$(cat log.txt)" = one && test -s kids/p.txt && test -s kids/q.txt' },
  ],
  strategy: {
    steps: [
      { title: 'Write a', tool: 'fs/write-file', input: { path: 'a.txt', content: 'alpha\n' } },
      { title: 'Log one', tool: 'shell/run', input: { command: 'echo one >> log.txt' } },
      {
        title: 'Fan out',
        subplans: {
          mode: 'parallel',
          maxParallel: 2,
          entries: ['p', 'q'].map((name) => ({
            name: `power/child-${name}`,
            goal: `Write ${name}`,
            resourceScopes: [`kids/${name}.txt`],
            strategy: {
              steps: [
                {
                  title: `Write ${name}`,
                  tool: 'fs/write-file',
                  input: { path: `kids/${name}.txt`, content: `child ${name}\n` },
                },
              ],
            },
          })),
        },
      },
      { title: 'Write b', tool: 'fs/write-file', input: { path: 'b.txt', content: 'beta\n' } },
    ],
  },
});

let disk: PowerLossDisk | null = null;
afterEach(async () => {
  await disk?.unmount();
  disk = null;
});

// a project on a fresh LazyFS, on the disk for good before the test starts
async function project(): Promise<string> {
  disk = await mountPowerLossDisk(lazyfs!, (root) => {
    const dir = join(root, 'project');
    execFileSync('git', ['init', '-q', '-b', 'main', dir], { env: GIT_ENV });
    writeFileSync(join(dir, 'README.md'), '# power\n');
    writeFileSync(join(dir, 'plan.yaml'), PLAN);
    execFileSync('git', ['add', 'README.md'], { cwd: dir, env: GIT_ENV });
    execFileSync('git', ['commit', '-q', '-m', 'init'], { cwd: dir, env: GIT_ENV });
  });
  return join(disk.dir, 'project');
}

// run a power-child mode until a line of its output says to stop: then the power goes
function runUntil(args: string[], stop: (line: string) => boolean): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    let stderr = '';
    let stopped = false;
    let pending = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const parts = pending.split('\n');
      pending = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (!stopped && stop(line)) {
          stopped = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.once('exit', () =>
      stopped || lines.includes('finished') || lines.some((line) => line.startsWith('applied'))
        ? resolve(lines)
        : reject(new Error(`it ended before the cut: ${stderr}\n${lines.join('\n')}`)),
    );
  });
}

// open the project again after the cut, as a user would, and take the plan as far as it goes
async function recover(dir: string): Promise<Record<string, unknown>> {
  const lines = await new Promise<string>((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, 'recover', dir, 'power/cut'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', () => resolve(`${out}\n${err}`));
  });
  const state = lines.split('\n').find((line) => line.startsWith('STATE '));
  return state ? (JSON.parse(state.slice(6)) as Record<string, unknown>) : { output: lines };
}

// what git finds wrong with the project's repository (objects, refs), dangling objects aside
function fsck(dir: string): string {
  try {
    execFileSync('git', ['fsck', '--no-dangling', '--no-progress'], {
      cwd: dir,
      env: GIT_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return '';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr ?? error);
  }
}

const at = (type: string, phase?: string) => (line: string) => {
  const [tag, , linePhase, lineType] = line.split(' ');
  return tag === 'EVENT' && lineType === type && (phase === undefined || linePhase === phase);
};

// run the plan, cut the power when `stop` says, open the project again: where the plan got, and what git finds wrong
async function cutAndRecover(
  stop: (line: string, root: string) => boolean,
): Promise<{ state: Record<string, unknown>; fsck: string }> {
  const dir = await project();
  let root = '';
  await runUntil(['run', dir, join(dir, 'plan.yaml')], (line) => {
    if (line.startsWith('PLAN ')) root = line.slice(5);
    return stop(line, root);
  });
  await disk!.cut();
  return { state: await recover(dir), fsck: fsck(dir) };
}

const goesOn = { state: { phase: 'validate', status: 'complete', error: null }, fsck: '' };

describe.runIf(lazyfs !== null)('a power cut', () => {
  it('right after strategize completed: the new sandbox is there, and the plan goes on to validate', async () => {
    expect(await cutAndRecover(at('phase.completed', 'strategize'))).toMatchObject(goesOn);
  }, 180_000);

  it('after a step whose record reached the disk: its commit is readable, and validate runs on its files', async () => {
    let started = 0;
    // the third step of the plan starting: the second's checkpoint, synced, names its commit
    expect(
      await cutAndRecover(
        (line, root) => at('step.started', 'execute')(line) && line.split(' ')[1] === root && ++started === 3,
      ),
    ).toMatchObject(goesOn);
  }, 180_000);

  it('after the children were merged: the merge commits are readable', async () => {
    let merged = 0;
    expect(await cutAndRecover((line) => at('merge.completed')(line) && ++merged === 2)).toMatchObject(goesOn);
  }, 180_000);

  it('right after an acknowledged apply: the commit, the branch and the files are on the disk', async () => {
    const dir = await project();
    await runUntil(['run', dir, join(dir, 'plan.yaml')], () => false);
    const [said] = (await runUntil(['apply', dir, 'power/cut'], (line) => line.startsWith('applied'))).filter((line) =>
      line.startsWith('applied'),
    );
    const commit = said!.split(' ')[1]!;
    expect(said).toMatch(/^applied [0-9a-f]{40} apply\/done$/);
    await disk!.cut();
    expect(execFileSync('git', ['rev-parse', 'main'], { cwd: dir, env: GIT_ENV, encoding: 'utf8' }).trim()).toBe(
      commit,
    );
    expect(fsck(dir)).toBe('');
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect(readFileSync(join(dir, 'kids/q.txt'), 'utf8')).toBe('child q\n');
    expect(await recover(dir)).toMatchObject({ phase: 'apply', status: 'done', applied: commit });
  }, 180_000);
});
