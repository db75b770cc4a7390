import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProgram, globalFlagsAnywhere } from '../../src/cli/program.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// issue 18, item 10: what a user who mistyped something is told

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(): Promise<string> {
  const repo = await tempRepo({ 'README.md': '# project\n', 'src/a.ts': 'export const a = 1;\n' });
  cleanups.push(repo.cleanup);
  mkdirSync(join(repo.dir, 'plans'));
  writeFileSync(
    join(repo.dir, 'plans', 'typo.yaml'),
    planYaml({ name: 'demo/typo', resourceScopes: ['src/**'], strategy: { steps: [] } }),
  );
  return repo.dir;
}

describe('a plan file that is not there', () => {
  it.each([
    ['./plans/nothing.yml', 'no such file: ./plans/nothing.yml'],
    ['plans/nothing.json', 'no such file: plans/nothing.json'],
    ['nothing.yaml', 'no such file: nothing.yaml'],
    ['./nothing', 'no such file: ./nothing'],
    ['../nothing/plan', 'no such file: ../nothing/plan'],
  ])('is "no such file" for plan run %s, not "no plan matches"', async (target, message) => {
    const dir = await project();
    const result = await runCli(dir, ['plan', 'run', target]);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(
      new RegExp(`^error\\[NOT_FOUND\\]: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(/`),
    );
    expect(result.stderr).toContain(
      'hint: check the path (relative to the current directory or -C); to run an existing plan, give its name, id or id prefix (troupe plan list shows them)',
    );
  });

  it('names the plan file beside it that was probably meant', async () => {
    const dir = await project();
    for (const command of ['run', 'new']) {
      const result = await runCli(dir, ['plan', command, './plans/typo.yml', '--json']);
      expect(result.code).toBe(4);
      const { error } = JSON.parse(result.stdout) as {
        error: { code: string; message: string; hint: string; details: { path: string } };
      };
      expect(error).toMatchObject({
        code: 'NOT_FOUND',
        hint: 'did you mean plans/typo.yaml?',
        details: { path: join(dir, 'plans', 'typo.yml') },
      });
      expect(error.message).toBe(`no such file: ./plans/typo.yml (${join(dir, 'plans', 'typo.yml')})`);
    }
    expect((await runCli(dir, ['plan', 'list', '--all', '--json'])).stdout).toBe('[]\n');
  });

  it('still reads a plan name as a plan, and a directory as no plan file', async () => {
    const dir = await project();
    expect((await runCli(dir, ['plan', 'run', 'demo/nothing'])).stderr).toMatch(
      /^error\[NOT_FOUND\]: no plan matches "demo\/nothing"/,
    );
    const folder = await runCli(dir, ['plan', 'run', './plans']);
    expect(folder.code).toBe(2);
    expect(folder.stderr).toMatch(
      /^error\[VALIDATION_ERROR\]: \.\/plans is a directory, not a plan file\nhint: name a YAML or JSON plan file in it\n$/,
    );
  });
});

describe('a plan file validated in one pass', () => {
  it('lists a bad field, a bad step input, an unknown tool and a bad invariant together, with what was meant', async () => {
    const dir = await project();
    const text = planYaml({
      name: 'demo/all',
      automation: 'fast',
      resourceScopes: ['src/**'],
      invariants: [{ id: 'readme', check: 'file-exist', path: 'README.md' }],
      definitonOfDone: 'the file is there',
      strategy: {
        steps: [
          step('Write', 'fs/write-file', { path: 'src/b.ts', contnet: 'x' }),
          step('Read', 'fs/read-fil', { path: 'src/a.ts' }),
        ],
      },
    });
    writeFileSync(join(dir, 'all.yaml'), text);
    const result = await runCli(dir, ['plan', 'new', 'all.yaml']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[VALIDATION_ERROR]: all.yaml: 6 problems');
    for (const line of [
      'automation: must be manual, review or auto (got "fast")',
      'invariants[0].check: must name a known check: command, file-exists, file-absent, paths-within, no-conflicts, or a registered check such as acme/lint-clean (got "file-exist"); did you mean `file-exists`?',
      'definitonOfDone: is not a known field; did you mean `definitionOfDone`?',
      'strategy.steps[0].input.content: is required',
      'strategy.steps[0].input.contnet: is not a known field; did you mean `content`?',
      'strategy.steps[1].tool: unknown tool "fs/read-fil"',
    ]) {
      expect(result.stderr).toContain(`\n  ${line}`);
    }
    expect(result.stderr).toMatch(
      /strategy\.steps\[1\]\.tool: unknown tool "fs\/read-fil" \(known: [^)]*\); did you mean `fs\/read-file`\?/,
    );
    expect((await runCli(dir, ['plan', 'list', '--all', '--json'])).stdout).toBe('[]\n');
  });
});

describe('a command with a NUL byte', () => {
  it('is refused at plan new, naming the field, and nothing is written', async () => {
    const dir = await project();
    // as JSON ("\u0000") and as YAML (a double-quoted "\0")
    const plan = {
      name: 'demo/nul',
      goal: 'g',
      resourceScopes: ['src/**'],
      strategy: { steps: [step('Test', 'shell/run', { command: 'npm test\u0000 --watch' })] },
    };
    writeFileSync(join(dir, 'nul.json'), JSON.stringify(plan));
    writeFileSync(join(dir, 'nul.yaml'), planYaml(plan));
    expect(readFileSync(join(dir, 'nul.yaml'), 'utf8')).toContain('"npm test\\0 --watch"');
    for (const file of ['nul.json', 'nul.yaml']) {
      const result = await runCli(dir, ['plan', 'new', file, '--json']);
      expect(result.code).toBe(2);
      const { error } = JSON.parse(result.stdout) as {
        error: { code: string; details: { issues: { path: string; message: string }[] } };
      };
      expect(error.code).toBe('VALIDATION_ERROR');
      expect(error.details.issues).toEqual([
        { path: 'strategy.steps[0].input.command', message: 'must not contain a NUL byte (at character 9)' },
      ]);
    }
    expect((await runCli(dir, ['plan', 'list', '--all', '--json'])).stdout).toBe('[]\n');
    expect(git(dir, 'branch', '--list', 'troupe/*')).toBe('');
    expect(git(dir, 'status', '--porcelain', '--', 'src', 'README.md')).toBe('');
  });
});

describe('a repository without commits', () => {
  it('is refused at plan new and plan run <file>, before the name is taken; after a first commit the name is free', async () => {
    const temp = await tempDir();
    cleanups.push(temp.cleanup);
    git(temp.dir, 'init', '-q', '-b', 'main');
    writeFileSync(join(temp.dir, 'plan.yaml'), planYaml({ name: 'demo/first', strategy: { steps: [] } }));
    for (const argv of [
      ['plan', 'new', 'plan.yaml'],
      ['plan', 'run', 'plan.yaml'],
    ]) {
      const result = await runCli(temp.dir, argv);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^error\[VALIDATION_ERROR\]: the project has no commits yet \(.*\): a plan's sandbox starts from one\n/,
      );
      expect(result.stderr).toContain(
        'hint: make a first commit (git add -A && git commit -m "initial"), then create the plan again',
      );
    }
    expect((await runCli(temp.dir, ['plan', 'list', '--all', '--json'])).stdout).toBe('[]\n');
    git(temp.dir, 'commit', '-q', '--allow-empty', '-m', 'initial');
    const created = await runCli(temp.dir, ['plan', 'new', 'plan.yaml', '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({ name: 'demo/first', phase: 'strategize', status: 'queued' });
  });
});

describe('global flags anywhere', () => {
  const program = buildProgram('0.0.0', () => {});
  it.each([
    [
      ['--inspect', 'plan', 'list'],
      ['--inspect=', 'plan', 'list'],
    ],
    [
      ['plan', 'run', '--inspect', 'demo/x'],
      ['plan', 'run', '--inspect=', 'demo/x'],
    ],
    [
      ['--inspect', '9000', 'plan', 'list'],
      ['--inspect', '9000', 'plan', 'list'],
    ],
    [
      ['plan', 'list', '--inspect'],
      ['plan', 'list', '--inspect='],
    ],
    [
      ['--inspect=9000', 'plan', 'list'],
      ['--inspect=9000', 'plan', 'list'],
    ],
    // a value of a flag, and what follows --, are left alone
    [
      ['plan', 'cancel', 'demo/x', '--reason', '--inspect'],
      ['plan', 'cancel', 'demo/x', '--reason', '--inspect'],
    ],
    [
      ['-C', '--inspect', 'plan', 'list'],
      ['-C', '--inspect', 'plan', 'list'],
    ],
    [
      ['plan', 'list', '--', '--inspect', 'x'],
      ['plan', 'list', '--', '--inspect', 'x'],
    ],
  ])('reads %j as %j', (argv, read) => {
    expect(globalFlagsAnywhere(argv, program)).toEqual(read);
  });

  it('runs troupe --inspect plan list as troupe plan list --inspect', async () => {
    const dir = await project();
    const before = await runCli(dir, ['--inspect', 'plan', 'list']);
    // the default port may be taken on this machine: either way the command, not a port, was read from "plan"
    expect(before.stderr).toContain('127.0.0.1:8080');
    expect(before.stderr).not.toContain('takes a port number');
    const after = await runCli(dir, ['plan', 'list', '--inspect']);
    expect({ code: after.code, stdout: after.stdout }).toEqual({ code: before.code, stdout: before.stdout });
    // with the port free, it is the plan list
    if (before.code === 0) expect(before.stdout).toBe((await runCli(dir, ['plan', 'list'])).stdout);
  });
});
