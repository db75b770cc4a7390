import { mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

let dir: string;
let other: string;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  const main = await tempRepo({ 'README.md': '# main\n' });
  const docs = await tempRepo({ 'README.md': '# docs\n' });
  cleanups.push(main.cleanup, docs.cleanup);
  dir = main.dir;
  other = realpathSync(docs.dir);
});
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

describe('troupe project', () => {
  it('registers another repository by name and lists it after this project', async () => {
    const added = await runCli(dir, ['project', 'add', 'docs-site', other]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    expect(added.stdout).toBe(`✓ registered project docs-site: ${other}\n`);
    const listed = JSON.parse((await runCli(dir, ['project', 'list', '--json'])).stdout);
    expect(listed.map((project: { name: string; path: string }) => [project.name, project.path])).toEqual([
      ['default', realpathSync(dir)],
      ['docs-site', other],
    ]);
    expect((await runCli(dir, ['project', 'list'])).stdout).toContain(`docs-site  ${other}\n`);
  });

  it.each([
    [['project', 'add', 'docs-site', '.'], 2, 'is this project'],
    [
      ['project', 'add', 'Docs', '../x'],
      2,
      'error[VALIDATION_ERROR]: name: must be 1-64 characters a-z, 0-9 and "-", starting with a letter',
    ],
    [['project', 'add', 'default', '../x'], 2, 'error[VALIDATION_ERROR]: name: "default" is this project\'s own name'],
    [['project', 'add', 'nowhere', mkdtempSync(join(tmpdir(), 'troupe-nogit-'))], 2, 'error[NOT_A_GIT_REPO]'],
  ])('troupe %j exits %i and registers nothing', async (argv, code, message) => {
    const before = (await runCli(dir, ['project', 'list', '--json'])).stdout;
    const result = await runCli(dir, argv as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect((await runCli(dir, ['project', 'list', '--json'])).stdout).toBe(before);
  });

  it('refuses a name that is taken', async () => {
    const again = await runCli(dir, ['project', 'add', 'docs-site', other]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('error[VALIDATION_ERROR]: name: a project named "docs-site" is already registered');
  });
});
