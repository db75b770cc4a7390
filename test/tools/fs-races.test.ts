import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPathGuard } from '../../src/sandbox/index.js';
import { ToolRunner, type ToolContext, type ToolResult } from '../../src/tools/index.js';
import { tempDir } from '../helpers/temp.js';
import { toolContext } from './helpers.js';

// A process swaps the sandbox's directory `d` for a symlink to a directory
// outside and back, as fast as it can, while the fs tools work in `d`:
// checking a path and then acting on it must not let the I/O follow the swap.
const SWAP = `
const fs = require('node:fs');
const outside = process.argv[1];
process.stdout.write('swapping\\n');
for (let i = 0; ; i++) {
  try { fs.renameSync('d', 'aside'); } catch {}
  try { fs.symlinkSync(outside, 'd'); } catch {}
  try { fs.unlinkSync('d'); } catch {}
  try { fs.renameSync('aside', 'd'); } catch {
    // a tool made a new d while it was missing: move that one aside, inside the sandbox
    try { fs.renameSync('d', 'made-' + i); fs.renameSync('aside', 'd'); } catch {}
  }
  // a real directory for 0-200 µs, so some calls fit in and the swap hits every moment of the others
  const until = process.hrtime.bigint() + BigInt(Math.floor(Math.random() * 200_000));
  while (process.hrtime.bigint() < until);
}
`;
const CALLS = 300;

let base: { dir: string; cleanup: () => Promise<void> };
let root: string;
let outside: string;
let swapper: ChildProcess | undefined;
let context: ToolContext;

beforeEach(async () => {
  base = await tempDir('troupe-race-');
  const real = await realpath(base.dir);
  root = join(real, 'sandbox');
  outside = join(real, 'outside');
  await mkdir(join(root, 'd'), { recursive: true });
  await mkdir(outside);
  context = { ...toolContext(root), paths: await createPathGuard({ root }) };
});
afterEach(async () => {
  if (swapper && swapper.exitCode === null && swapper.signalCode === null) {
    const exited = once(swapper, 'exit');
    swapper.kill('SIGKILL');
    await exited;
  }
  swapper = undefined;
  await base.cleanup();
});

async function startSwapping(): Promise<void> {
  const child = spawn(process.execPath, ['-e', SWAP, outside], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  swapper = child;
  await new Promise((resolve, reject) => {
    child.stdout!.once('data', resolve);
    child.once('error', reject);
  });
}

const run = (tool: string, input: Record<string, unknown>) => new ToolRunner().run(tool, input, context);

// ENOENT: `d` was missing at that moment (between two renames of the swap), which is no escape
function outcome(result: ToolResult): string {
  if (result.success) return 'ok';
  const { code, details } = result.error;
  return code === 'TOOL_FAILED' && details?.['errno'] === 'ENOENT' ? 'missing' : `${code}: ${result.error.message}`;
}

// at least CALLS calls, and more while the swap has not yet raced one of them: on a loaded
// machine the swapper may not be scheduled between the first CALLS calls (up to 30 s more)
function keepCalling(outcomes: string[], raced: (seen: string) => boolean): (i: number) => boolean {
  const deadline = Date.now() + 30_000;
  return (i) => i < CALLS || (!outcomes.some(raced) && Date.now() < deadline);
}

function tally(outcomes: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const seen of outcomes) counts[seen] = (counts[seen] ?? 0) + 1;
  return counts;
}

describe('fs tools while a directory of the sandbox is swapped for a symlink to outside', () => {
  it('fs/write-file never writes outside the sandbox', async () => {
    await startSwapping();
    const outcomes: string[] = [];
    const more = keepCalling(outcomes, (seen) => seen.startsWith('SANDBOX_ESCAPE'));
    for (let i = 0; more(i); i++) {
      outcomes.push(outcome(await run('fs/write-file', { path: `d/file-${i}.txt`, content: 'pwned' })));
      expect(await readdir(outside)).toEqual([]);
    }
    const counts = tally(outcomes);
    expect(
      Object.keys(counts).filter((seen) => !['ok', 'missing'].includes(seen) && !seen.startsWith('SANDBOX_ESCAPE')),
    ).toEqual([]);
    // the swap really raced the calls: some went through, some were refused
    expect(counts['ok'] ?? 0).toBeGreaterThan(0);
    expect(outcomes.filter((seen) => seen.startsWith('SANDBOX_ESCAPE')).length).toBeGreaterThan(0);
  });

  it('fs/read-file never returns a file outside the sandbox', async () => {
    await writeFile(join(root, 'd/f.txt'), 'inside');
    await writeFile(join(outside, 'f.txt'), 'SECRET');
    await startSwapping();
    const outcomes: string[] = [];
    const more = keepCalling(outcomes, (seen) => seen === 'missing' || seen.startsWith('SANDBOX_ESCAPE'));
    for (let i = 0; more(i); i++) {
      const result = await run('fs/read-file', { path: 'd/f.txt' });
      if (result.success) expect(result.output).toMatchObject({ content: 'inside' });
      outcomes.push(outcome(result));
    }
    const counts = tally(outcomes);
    expect(
      Object.keys(counts).filter((seen) => !['ok', 'missing'].includes(seen) && !seen.startsWith('SANDBOX_ESCAPE')),
    ).toEqual([]);
    // the swap really raced the calls (how many fit in between swaps depends on the machine's load):
    // a read that meets the symlink resolves the path again and is refused only if the link is
    // still there, so the race shows as refusals or as `d` missing mid-call, not always both
    expect(outcomes.filter((seen) => seen === 'missing' || seen.startsWith('SANDBOX_ESCAPE')).length).toBeGreaterThan(
      0,
    );
  });

  it('fs/delete-file never deletes a file outside the sandbox', async () => {
    await writeFile(join(outside, 'f.txt'), 'keep');
    await startSwapping();
    const outcomes: string[] = [];
    const more = keepCalling(outcomes, (seen) => seen.startsWith('SANDBOX_ESCAPE'));
    for (let i = 0; more(i); i++) {
      // refused now and then while `d` is a symlink, which the delete then finds refused too
      await context.paths.writeFile('d/f.txt', 'inside').catch(() => {});
      outcomes.push(outcome(await run('fs/delete-file', { path: 'd/f.txt' })));
      expect(await readFile(join(outside, 'f.txt'), 'utf8')).toBe('keep');
    }
    const counts = tally(outcomes);
    expect(
      Object.keys(counts).filter((seen) => !['ok', 'missing'].includes(seen) && !seen.startsWith('SANDBOX_ESCAPE')),
    ).toEqual([]);
    expect(outcomes.filter((seen) => seen.startsWith('SANDBOX_ESCAPE')).length).toBeGreaterThan(0);
  });

  it('fs/list-files never lists a directory outside the sandbox', async () => {
    await writeFile(join(root, 'd/inside.txt'), '');
    await writeFile(join(outside, 'outside-only.txt'), '');
    await startSwapping();
    for (let i = 0; i < CALLS; i++) {
      for (const path of ['.', 'd']) {
        const result = await run('fs/list-files', { path });
        if (result.success)
          expect((result.output as { files: string[] }).files.filter((file) => file.includes('outside-only'))).toEqual(
            [],
          );
        else expect(outcome(result)).toMatch(/^(missing|SANDBOX_ESCAPE)/);
      }
    }
  });
});
