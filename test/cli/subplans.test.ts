import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# cli\n' }));
  const entries = ['a', 'b'].map((name) => ({
    goal: `Write ${name}`,
    resourceScopes: [`${name}.txt`],
    strategy: { steps: [step('Write', 'fs/write-file', { path: `${name}.txt`, content: `${name}\n` })] },
  }));
  writeFileSync(
    join(dir, 'fan.yaml'),
    planYaml({
      name: 'demo/fan',
      strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', entries } }] },
    }),
  );
});
afterAll(() => cleanup());

describe('subplans in the CLI', () => {
  it('shows each child starting, validating and merging while the plan runs', async () => {
    const result = await runCli(dir, ['plan', 'run', 'fan.yaml']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('  step 1: Fan out\n');
    for (const name of ['demo/fan-1', 'demo/fan-2']) {
      expect(result.stderr).toContain(`    ↳ ${name} started\n`);
      // a child that took over 2 s (a loaded machine) says how long
      expect(result.stderr).toMatch(new RegExp(`\\n {4}✓ ${name} validated( \\(\\d+(\\.\\d+)? s\\))?\\n`));
      expect(result.stderr).toContain(`    ✓ merged ${name}\n`);
    }
  });

  it('lists the merge checkpoints of a round only with checkpoint list --all', async () => {
    const triggers = async (argv: string[]) =>
      (JSON.parse((await runCli(dir, [...argv, '--json'])).stdout) as { trigger: string }[]).map(
        (checkpoint) => checkpoint.trigger,
      );
    const all = await triggers(['checkpoint', 'list', 'demo/fan', '--all']);
    expect(all).toEqual(expect.arrayContaining(['pre-merge', 'post-merge']));
    const merges = all.filter((trigger) => trigger.endsWith('-merge')).length;
    expect(await triggers(['checkpoint', 'list', 'demo/fan'])).toEqual(
      all.filter((trigger) => !trigger.endsWith('-merge')),
    );
    const text = await runCli(dir, ['checkpoint', 'list', 'demo/fan'], { env: { NO_COLOR: '1' } });
    expect(text.stdout).toContain(`\n${merges} merge checkpoints not shown (--all shows them)\n`);
    expect(text.stdout).toMatch(/ step +1 +execute · after step 1 "Fan out" /);
    expect((await runCli(dir, ['checkpoint', 'list', 'demo/fan', '--all'])).stdout).toMatch(
      / post-merge +- +execute · queued /,
    );
  });

  it('shows a child retrying and then failing, and the plan failing with it', async () => {
    const entries = [
      {
        goal: 'Write c',
        resourceScopes: ['c.txt'],
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'c.txt', content: 'c\n' })] },
      },
      {
        goal: 'Fail',
        resourceScopes: ['d.txt'],
        strategy: { steps: [step('Fail', 'shell/run', { command: 'exit 3' })] },
      },
    ];
    writeFileSync(
      join(dir, 'failing-fan.yaml'),
      planYaml({
        name: 'demo/bad',
        strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'sequential', retries: 1, entries } }] },
      }),
    );
    const result = await runCli(dir, ['plan', 'run', 'failing-fan.yaml'], { env: { NO_COLOR: '1' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('    ↻ demo/bad-2 retrying (attempt 2)\n');
    expect(result.stderr).toMatch(/ {4}✗ demo\/bad-2 failed: TOOL_FAILED .*\n/);
    expect(result.stderr.indexOf('retrying (attempt 2)')).toBeLessThan(result.stderr.indexOf('demo/bad-2 failed'));
  });

  it('shows a queued child start only once the one before it is done, and its steps with --verbose', async () => {
    const entries = ['p', 'q'].map((name) => ({
      goal: `Write ${name}`,
      resourceScopes: [`${name}.txt`],
      strategy: { steps: [step(`Write ${name}`, 'fs/write-file', { path: `${name}.txt`, content: `${name}\n` })] },
    }));
    writeFileSync(
      join(dir, 'one-at-a-time.yaml'),
      planYaml({
        name: 'demo/queue',
        strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel: 1, entries } }] },
      }),
    );
    const result = await runCli(dir, ['plan', 'run', 'one-at-a-time.yaml', '--verbose']);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stderr.split('\n');
    const at = (line: string) => {
      expect(
        lines.filter((candidate) => candidate === line),
        line,
      ).toHaveLength(1);
      return lines.indexOf(line);
    };
    // each child's lines once and in order, the second started after the first was validated
    expect(at('    ↳ demo/queue-1 started')).toBeLessThan(at('      demo/queue-1 › step 1: Write p'));
    expect(at('      demo/queue-1 › step 1: Write p')).toBeLessThan(at('    ✓ demo/queue-1 validated'));
    expect(at('    ✓ demo/queue-1 validated')).toBeLessThan(at('    ↳ demo/queue-2 started'));
    expect(at('    ↳ demo/queue-2 started')).toBeLessThan(at('      demo/queue-2 › step 1: Write q'));
    expect(at('      demo/queue-2 › step 1: Write q')).toBeLessThan(at('    ✓ demo/queue-2 validated'));
    // the parent's own steps are not repeated as a child's
    expect(lines.filter((line) => line === '  step 1: Fan out')).toHaveLength(1);
  });

  it('says whose side is whose when children conflict: ours the parent’s sandbox, theirs the child, named, with the JSON key path', async () => {
    const entries = ['2', '3'].map((react) => ({
      goal: `React ${react}`,
      resourceScopes: ['package.json'],
      strategy: {
        steps: [
          step('Bump', 'fs/write-file', { path: 'package.json', content: `{"dependencies": {"react": "${react}"}}\n` }),
        ],
      },
    }));
    writeFileSync(join(dir, 'package.json'), '{"dependencies": {"react": "1"}}\n');
    git(dir, 'add', 'package.json');
    git(dir, 'commit', '-qm', 'package.json');
    writeFileSync(
      join(dir, 'bump.yaml'),
      planYaml({
        name: 'demo/bump',
        strategy: { steps: [{ title: 'Bump twice', subplans: { mode: 'parallel', entries } }] },
      }),
    );
    const run = await runCli(dir, ['plan', 'run', 'bump.yaml']);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain(
      '! 1 conflicting file merging demo/bump-2: package.json — troupe plan conflicts demo/bump shows them\n',
    );
    expect(run.stdout).toMatch(/ {2}conflicts +package\.json \(content, from demo\/bump-2\)\n/);

    const listed = await runCli(dir, ['plan', 'conflicts', 'demo/bump']);
    expect(listed.stdout).toContain(
      'demo/bump waits on 1 conflicting file in execute merging its child plan demo/bump-2:\n',
    );
    expect(listed.stdout).toMatch(
      / {2}package\.json {2}content · 1 hunk · from demo\/bump-2 · edit \S+\n {4}at dependencies\.react\n {4}ours {3}│ "2"\n {4}base {3}│ "1"\n {4}theirs │ "3"\n/,
    );
    expect(listed.stdout).toContain(
      "(ours: demo/bump's sandbox, theirs: the child plan demo/bump-2, --use: a file you edited)\n",
    );
    const json = JSON.parse((await runCli(dir, ['plan', 'conflicts', 'demo/bump', '--json'])).stdout);
    expect(json.conflicts).toEqual([
      expect.objectContaining({
        file: 'package.json',
        child: expect.stringMatching(/^\w{26}$/),
        childName: 'demo/bump-2',
        hunks: [{ ours: '"2"', base: '"1"', theirs: '"3"', path: 'dependencies.react' }],
      }),
    ]);

    const resolved = await runCli(dir, ['plan', 'resolve', 'demo/bump', 'package.json', '--theirs']);
    const commit = /merge commit ([0-9a-f]{7}) made in the sandbox\n/.exec(resolved.stdout)?.[1];
    // one command carries the plan on through its phases, not one phase at a time (issue 36)
    expect(resolved.stdout).toMatch(
      /^✓ resolved package\.json with theirs \(the child plan demo\/bump-2\); no conflicts left: merge commit [0-9a-f]{7} made in the sandbox\nnext: troupe plan run demo\/bump\n$/,
    );
    // the changes are the sandbox's with the merge, not the head from before it
    const changes = JSON.parse((await runCli(dir, ['plan', 'changes', 'demo/bump', '--json'])).stdout);
    const status = JSON.parse((await runCli(dir, ['plan', 'status', 'demo/bump', '--json'])).stdout);
    expect(changes.headCommit).toBe(status.sandbox.headCommit);
    expect(changes.headCommit.slice(0, 7)).toBe(commit);
    // the merge commit's subject names the child plan by name, its id in a trailer
    expect(git(dir, 'log', '-1', '--format=%s%n%b', changes.headCommit)).toMatch(
      /^troupe: merge child plan demo\/bump-2 into demo\/bump with 1 resolved conflict\nTroupe-Child-Id: \w{26}$/,
    );
    // the merge decision names the child plan by name
    expect((await runCli(dir, ['plan', 'explain', 'demo/bump'])).stdout).toContain(
      'merge Merge child plan demo/bump-2 into the sandbox with 1 conflict resolved',
    );
  });

  it('prints the tree, and its JSON', async () => {
    const human = await runCli(dir, ['plan', 'tree', 'demo/fan']);
    expect(human).toMatchObject({ code: 0, stderr: '' });
    expect(human.stdout).toBe(
      'demo/fan  validate · complete\n├─ demo/fan-1  apply · done  (complete, attempt 1)\n└─ demo/fan-2  apply · done  (complete, attempt 1)\n',
    );
    const json = JSON.parse((await runCli(dir, ['plan', 'tree', 'demo/fan', '--json'])).stdout);
    expect(json).toMatchObject({
      name: 'demo/fan',
      subplan: null,
      children: [
        { name: 'demo/fan-1', subplan: { status: 'complete', attempt: 1 }, children: [] },
        { name: 'demo/fan-2' },
      ],
    });
    expect((await runCli(dir, ['plan', 'tree', 'demo/nope'])).code).toBe(4);
    // a child is merged by its parent, which the hint names by name (issue 36)
    const apply = await runCli(dir, ['plan', 'apply', 'demo/fan-1']);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toContain('hint: troupe plan tree demo/fan shows the parent and its children\n');
  });

  it('names the child plans a rollback invalidated, not their ids (issue 36)', async () => {
    const [first] = JSON.parse((await runCli(dir, ['checkpoint', 'list', 'demo/fan', '--json'])).stdout) as {
      id: string;
    }[];
    const rolled = await runCli(dir, ['plan', 'rollback', 'demo/fan', '--to', first!.id, '--yes'], {
      env: { NO_COLOR: '1' },
    });
    expect(rolled.code).toBe(0);
    expect(rolled.stdout).toContain('  child plans  2 invalidated: demo/fan-1, demo/fan-2\n');
  });
});

describe('cancelling one child in the CLI (issue 35)', () => {
  it('leaves the parent going: the child shows cancelled, the other merges, and the plan validates', async () => {
    const entries = [
      {
        goal: 'Slow',
        resourceScopes: ['slow.txt'],
        strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 30; echo s > slow.txt' })] },
      },
      {
        goal: 'Write e',
        resourceScopes: ['e.txt'],
        strategy: { steps: [step('Write', 'fs/write-file', { path: 'e.txt', content: 'e\n' })] },
      },
    ];
    writeFileSync(
      join(dir, 'slow-fan.yaml'),
      planYaml({
        name: 'demo/slowfan',
        strategy: {
          steps: [{ title: 'Fan out', subplans: { mode: 'parallel', failurePolicy: 'fail-fast', entries } }],
        },
      }),
    );
    const running = runCli(dir, ['plan', 'run', 'slow-fan.yaml'], { env: { NO_COLOR: '1' } });
    const phaseOf = async (ref: string) => {
      const status = await runCli(dir, ['plan', 'status', ref, '--json']);
      return status.code === 0 ? (JSON.parse(status.stdout) as { phase: string }).phase : null;
    };
    await expect.poll(() => phaseOf('demo/slowfan-1'), { timeout: 20_000, interval: 200 }).toBe('execute');
    const cancelled = await runCli(dir, ['plan', 'cancel', 'demo/slowfan-1', '--reason', 'not needed'], {
      env: { NO_COLOR: '1' },
    });
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/demo\/slowfan-1 cancelled/);
    expect(result.stderr).not.toContain('failed');
    const parent = JSON.parse((await runCli(dir, ['plan', 'status', 'demo/slowfan', '--json'])).stdout) as {
      phase: string;
      status: string;
      subplanStatuses: Record<string, { name: string; status: string }>;
    };
    expect(parent).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(
      Object.values(parent.subplanStatuses)
        .map((child) => `${child.name} ${child.status}`)
        .sort(),
    ).toEqual(['demo/slowfan-1 cancelled', 'demo/slowfan-2 complete']);
  });
});
