import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// `troupe plan conflicts` and `troupe plan resolve` through the CLI, on a plan
// whose apply met a project that changed the same lines.

let dir: string;
let cleanup: () => Promise<void>;
let planId: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({
    'a.txt': 'one\ntwo\nthree\nfour\nfive\n',
    'conf.json': '{"port": 1}\n',
    'src/b.txt': 'b\n',
  }));
  const steps = [
    step('Edit a', 'fs/write-file', { path: 'a.txt', content: 'one\nTWO plan\nthree\nfour\nFIVE plan\n' }),
    step('Edit conf', 'fs/write-file', { path: 'conf.json', content: '{"port": 2}\n' }),
    step('Edit b', 'fs/write-file', { path: 'src/b.txt', content: 'b plan\n' }),
  ];
  writeFileSync(join(dir, 'clash.yaml'), planYaml({ name: 'demo/clash', strategy: { steps } }));
  const run = await runCli(dir, ['plan', 'run', 'clash.yaml', '--json']);
  expect(run.code).toBe(0);
  planId = JSON.parse(run.stdout).id;
  writeFileSync(join(dir, 'a.txt'), 'one\nTWO user\nthree\nfour\nfive\n');
  writeFileSync(join(dir, 'conf.json'), '{"port": 3}\n');
  writeFileSync(join(dir, 'src/b.txt'), 'b user\n');
  git(dir, 'commit', '-qam', 'the user moved on');
});
afterAll(() => cleanup());

describe('conflicts in the CLI', () => {
  it('stops apply in (apply, waiting) with exit 3, naming the files', async () => {
    const result = await runCli(dir, ['plan', 'apply', 'demo/clash']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(/phase +apply · waiting/);
    expect(result.stdout).toMatch(/conflicts +a\.txt \(content\), conf\.json \(content\), src\/b\.txt \(content\)/);
    expect(result.stdout).toContain(
      'next: troupe plan conflicts demo/clash, then troupe plan resolve demo/clash <file> --ours|--theirs|--use <path>',
    );
    expect(git(dir, 'status', '--porcelain', '--untracked-files=no')).toBe('');
  });

  it('refuses to apply again while conflicts remain (exit 3), and plan run says it waits', async () => {
    const apply = await runCli(dir, ['plan', 'apply', 'demo/clash']);
    expect(apply.code).toBe(3);
    expect(apply.stderr).toMatch(
      /^error\[MERGE_CONFLICT\]: cannot apply demo\/clash: 3 files have unresolved conflicts: a\.txt, conf\.json, src\/b\.txt\nhint: troupe plan conflicts demo\/clash shows them/,
    );
    const run = await runCli(dir, ['plan', 'run', 'demo/clash', '--json']);
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toMatchObject({ phase: 'apply', status: 'waiting' });
  });

  it('lists the conflicts with their hunks, and as JSON', async () => {
    const human = await runCli(dir, ['plan', 'conflicts', 'demo/clash']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('demo/clash waits on 3 conflicting files in apply:');
    expect(human.stdout).toContain(
      `  a.txt  content · 1 hunk · edit .troupe/conflicts/${planId}/a.txt\n    ours   │ TWO user\n    base   │ two\n    theirs │ TWO plan\n`,
    );
    expect(human.stdout).toContain(
      `  conf.json  content · 1 hunk · edit .troupe/conflicts/${planId}/conf.json\n    at port\n    ours   │ 3\n`,
    );
    // in apply ours is the project's branch and theirs the plan
    expect(human.stdout).toContain(
      "resolve each: troupe plan resolve demo/clash <file> --ours|--theirs|--use <path>  (ours: the project's branch, theirs: the plan demo/clash, --use: a file you edited)\n",
    );
    const json = JSON.parse((await runCli(dir, ['plan', 'conflicts', 'demo/clash', '--json'])).stdout);
    expect(json).toMatchObject({ planId, phase: 'apply', status: 'waiting', resolved: [] });
    expect(json.conflicts[0]).toEqual({
      file: 'a.txt',
      child: null,
      childName: null,
      kind: 'content',
      hunks: [{ ours: 'TWO user\n', base: 'two\n', theirs: 'TWO plan\n' }],
      edit: `.troupe/conflicts/${planId}/a.txt`,
    });
    expect(json.conflicts[1].hunks).toEqual([{ ours: '3', base: '1', theirs: '2', path: 'port' }]);
  });

  it.each([
    [
      ['plan', 'resolve', 'demo/clash', 'a.txt'],
      2,
      'error[VALIDATION_ERROR]: resolution: say how to resolve it: one of --ours, --theirs, --use <path>',
    ],
    [
      ['plan', 'resolve', 'demo/clash', 'a.txt', '--ours', '--use', 'x'],
      2,
      'error[VALIDATION_ERROR]: resolution: choose one of --ours, --use, not 2',
    ],
    [
      ['plan', 'resolve', 'demo/clash', 'README.md', '--ours'],
      2,
      'error[VALIDATION_ERROR]: file: README.md has no open conflict in plan demo/clash; open: a.txt, conf.json, src/b.txt',
    ],
    [
      ['plan', 'resolve', 'demo/clash', 'a.txt', '--use', 'nope.txt'],
      2,
      'error[VALIDATION_ERROR]: --use: no file at nope.txt',
    ],
    [['plan', 'resolve', 'demo/nope', 'a.txt', '--ours'], 4, 'error[NOT_FOUND]: no plan matches "demo/nope"'],
    [
      ['plan', 'apply', 'demo/clash', '--strategy', 'mine'],
      2,
      "error[VALIDATION_ERROR]: option '--strategy <strategy>' argument 'mine' is invalid",
    ],
  ])('troupe %j exits %i and changes nothing', async (argv, code, message) => {
    const before = (await runCli(dir, ['plan', 'conflicts', 'demo/clash', '--json'])).stdout;
    const result = await runCli(dir, argv as string[]);
    expect(result.code).toBe(code);
    expect(result.stderr).toContain(message);
    expect((await runCli(dir, ['plan', 'conflicts', 'demo/clash', '--json'])).stdout).toBe(before);
  });

  it('resolves file by file, from a subdirectory too, then applies the merge', async () => {
    const theirs = await runCli(dir, ['plan', 'resolve', 'demo/clash', 'conf.json', '--theirs']);
    expect(theirs).toMatchObject({ code: 0, stderr: '' });
    expect(theirs.stdout).toBe(
      '✓ resolved conf.json with theirs (the plan demo/clash); 2 conflicts left: a.txt, src/b.txt\nnext: troupe plan resolve demo/clash <file> --ours|--theirs|--use <path>\n',
    );
    // like git, a path is relative to where the command runs
    const fromSrc = await runCli(join(dir, 'src'), ['plan', 'resolve', 'demo/clash', 'b.txt', '--ours', '--json']);
    expect(JSON.parse(fromSrc.stdout)).toMatchObject({
      file: 'src/b.txt',
      with: 'ours',
      child: null,
      childName: null,
      remaining: ['a.txt'],
      mergeCommit: null,
    });
    const open = await runCli(dir, ['plan', 'conflicts', 'demo/clash'], { env: { NO_COLOR: '1' } });
    expect(open.stdout).toMatch(/^demo\/clash waits on 1 conflicting file in apply:\n {2}a\.txt /);
    expect(open.stdout).toContain('\nresolved: conf.json (theirs), src/b.txt (ours)\nresolve each: ');

    mkdirSync(join(dir, 'mine'), { recursive: true });
    writeFileSync(join(dir, 'mine', 'a.txt'), 'one\nTWO both\nthree\nfour\nFIVE plan\n');
    const before = JSON.parse((await runCli(dir, ['plan', 'changes', 'demo/clash', '--json'])).stdout);
    const last = await runCli(dir, ['plan', 'resolve', 'demo/clash', 'a.txt', '--use', 'mine/a.txt']);
    expect(last.code).toBe(0);
    // no merge commit is named: the one the branch gets is apply's (issue 36)
    expect(last.stdout).toBe(
      '✓ resolved a.txt with your file; no conflicts left: the merge is ready to apply\nnext: troupe plan apply demo/clash  (troupe plan changes demo/clash shows what it will apply)\n',
    );
    // plan changes shows the resolved merge onto the project's branch: what apply brings now
    const after = JSON.parse((await runCli(dir, ['plan', 'changes', 'demo/clash', '--json'])).stdout);
    expect(after.headCommit).not.toBe(before.headCommit);
    expect(after.baseCommit).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(git(dir, 'show', `${after.headCommit}:a.txt`)).toBe('one\nTWO both\nthree\nfour\nFIVE plan');
    expect(after.files.map((file: { path: string }) => file.path)).toEqual(['a.txt', 'conf.json']);
    expect((await runCli(dir, ['plan', 'status', 'demo/clash'])).stdout).toMatch(/phase +apply · queued/);
    const none = await runCli(dir, ['plan', 'conflicts', 'demo/clash'], { env: { NO_COLOR: '1' } });
    expect(none).toMatchObject({ code: 0, stdout: 'demo/clash has no open conflicts; it is at (apply, queued)\n' });

    const apply = await runCli(dir, ['plan', 'apply', 'demo/clash']);
    expect(apply.code).toBe(0);
    // the commit apply reports is the one on the user's branch
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(apply.stdout).toContain(`applied     commit ${head.slice(0, 7)} on the project's branch`);
    expect(JSON.parse((await runCli(dir, ['plan', 'status', 'demo/clash', '--json'])).stdout).appliedCommit).toBe(head);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('one\nTWO both\nthree\nfour\nFIVE plan\n');
    expect(readFileSync(join(dir, 'conf.json'), 'utf8')).toBe('{"port": 2}\n');
    expect(readFileSync(join(dir, 'src/b.txt'), 'utf8')).toBe('b user\n');
    const explain = (await runCli(dir, ['plan', 'explain', 'demo/clash'])).stdout;
    expect(explain).toContain("conflict_resolution Resolve src/b.txt with the project's version (ours)");
    expect(explain).toContain('merge Merge into the project with 3 conflicts resolved');
  });
});
