import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of cleanups.splice(0).reverse()) await close();
});

async function freshRepo(): Promise<string> {
  const repo = await tempRepo({ 'README.md': '# fresh\n', 'src/a.txt': 'a\n' });
  cleanups.push(repo.cleanup);
  return repo.dir;
}

const excludeOf = (dir: string) => readFileSync(join(dir, '.git', 'info', 'exclude'), 'utf8');

describe('a command in a repository troupe was never set up in', () => {
  const READS = [
    ['plan', 'list'],
    ['plan', 'status', 'demo/x'],
    ['plan', 'explain', 'demo/x'],
    ['plan', 'cancel', 'demo/x'],
    ['events', 'demo/x'],
    ['project', 'list'],
    ['gc', '--dry-run'],
    ['ui'],
  ];

  it.each(READS.map((argv) => [argv.join(' '), argv] as const))(
    '%s is NOT_FOUND naming the repository it looked in, and writes nothing there',
    async (_, argv) => {
      const dir = await freshRepo();
      const exclude = excludeOf(dir);
      const result = await runCli(dir, argv, { env: { NO_COLOR: '1' } });
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(
        `error[NOT_FOUND]: no troupe project in ${dir}: troupe was never set up in this repository (it has no .troupe/)`,
      );
      expect(result.stderr).toContain(
        'hint: run the command in your project (or name it with -C <dir>), or troupe init to make this repository one',
      );
      expect(existsSync(join(dir, '.troupe'))).toBe(false);
      expect(excludeOf(dir)).toBe(exclude);
    },
  );

  it('says so from a subdirectory too, naming the repository’s root, and in JSON with --json', async () => {
    const dir = await freshRepo();
    const result = await runCli(join(dir, 'src'), ['plan', 'list', '--json']);
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout)).toMatchObject({
      error: { code: 'NOT_FOUND', message: expect.stringContaining(`no troupe project in ${dir}`) },
    });
  });

  it('is set up by a command that creates a plan, after which reads work', async () => {
    const dir = await freshRepo();
    const created = await runCli(dir, ['plan', 'new', '--name', 'demo/x', '--goal', 'Say hello']);
    expect(created.code).toBe(0);
    expect(existsSync(join(dir, '.troupe', 'config.json'))).toBe(true);
    expect(excludeOf(dir)).toContain('.troupe/');
    const listed = await runCli(dir, ['plan', 'list']);
    expect(listed).toMatchObject({ code: 0 });
    expect(listed.stdout).toContain('demo/x');
  });
});
