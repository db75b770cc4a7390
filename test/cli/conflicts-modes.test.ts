import { mkdirSync, writeFileSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// What a user meets when apply merges a submodule pointer both sides moved, or
// a file the plan deleted while the project only made it executable: a
// conflict in `plan conflicts`, settled with `plan resolve`, then applied.

const pointer = (digit: number) => String(digit).repeat(40);

describe('a submodule both sides moved', () => {
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ dir, cleanup } = await tempRepo({ 'a.txt': 'a\n' }));
    git(dir, 'update-index', '--add', '--cacheinfo', `160000,${pointer(1)},vendor`);
    mkdirSync(join(dir, 'vendor'));
    git(dir, 'commit', '-qm', 'add the submodule');
    // moving a pointer writes the sandbox's git index, which contained commands may not
    mkdirSync(join(dir, '.troupe'), { recursive: true });
    writeFileSync(join(dir, '.troupe', 'config.json'), JSON.stringify({ sandbox: { mode: 'off' } }));
    const steps = [
      step('Move vendor', 'shell/run', { command: `git update-index --cacheinfo 160000,${pointer(2)},vendor` }),
      step('Edit a', 'fs/write-file', { path: 'a.txt', content: 'a plan\n' }),
    ];
    writeFileSync(join(dir, 'bump.yaml'), planYaml({ name: 'demo/bump', strategy: { steps } }));
    expect((await runCli(dir, ['plan', 'run', 'bump.yaml', '--json'])).code).toBe(0);
    git(dir, 'update-index', '--cacheinfo', `160000,${pointer(3)},vendor`);
    git(dir, 'commit', '-qm', 'the user moved vendor too');
  });
  afterAll(() => cleanup());

  it('waits in apply with a submodule conflict that plan conflicts shows as two commits', async () => {
    const apply = await runCli(dir, ['plan', 'apply', 'demo/bump']);
    expect(apply.code).toBe(3);
    expect(apply.stdout).toMatch(/conflicts +vendor \(submodule\)/);
    const shown = await runCli(dir, ['plan', 'conflicts', 'demo/bump'], { env: { NO_COLOR: '1' } });
    expect(shown.stdout).toContain(
      `  vendor  submodule · 1 hunk\n    ours   │ submodule commit ${pointer(3)}\n    base   │ submodule commit ${pointer(1)}\n    theirs │ submodule commit ${pointer(2)}\n`,
    );
  });

  it('refuses a file of yours for a submodule pointer, naming the flags that work, and changes nothing', async () => {
    writeFileSync(join(dir, 'mine.txt'), 'a file\n');
    const before = (await runCli(dir, ['plan', 'conflicts', 'demo/bump', '--json'])).stdout;
    const result = await runCli(dir, ['plan', 'resolve', 'demo/bump', 'vendor', '--use', 'mine.txt']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'error[VALIDATION_ERROR]: --use: vendor is a submodule, not a file: its pointer names a commit, which no file can stand for',
    );
    expect(result.stderr).toContain('hint: troupe plan resolve demo/bump vendor --ours|--theirs takes one side');
    expect((await runCli(dir, ['plan', 'conflicts', 'demo/bump', '--json'])).stdout).toBe(before);
  });

  it('settles with --theirs: the plan’s pointer lands on the branch with the rest of the plan', async () => {
    const resolved = await runCli(dir, ['plan', 'resolve', 'demo/bump', 'vendor', '--theirs']);
    expect(resolved.code).toBe(0);
    expect(resolved.stdout).toMatch(
      /^✓ resolved vendor with theirs \(the plan demo\/bump\); no conflicts left: the merge is ready to apply\nnext: troupe plan apply demo\/bump /,
    );
    expect((await runCli(dir, ['plan', 'apply', 'demo/bump'])).code).toBe(0);
    expect(git(dir, 'ls-tree', 'HEAD', 'vendor')).toBe(`160000 commit ${pointer(2)}\tvendor`);
    expect(git(dir, 'show', 'HEAD:a.txt')).toBe('a plan');
  });
});

describe('a file the plan deleted and the project made executable', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const SCRIPT = '#!/bin/sh\necho build\n';

  beforeAll(async () => {
    ({ dir, cleanup } = await tempRepo({ 'build.sh': SCRIPT, 'a.txt': 'a\n' }));
    const steps = [
      step('Drop the script', 'shell/run', { command: 'rm build.sh' }),
      step('Edit a', 'fs/write-file', { path: 'a.txt', content: 'a plan\n' }),
    ];
    writeFileSync(join(dir, 'drop.yaml'), planYaml({ name: 'demo/drop', strategy: { steps } }));
    expect((await runCli(dir, ['plan', 'run', 'drop.yaml', '--json'])).code).toBe(0);
    await chmod(join(dir, 'build.sh'), 0o755);
    git(dir, 'commit', '-qam', 'the user made build.sh executable');
  });
  afterAll(() => cleanup());

  it('surfaces a modify-delete conflict in plan conflicts instead of deleting the file', async () => {
    const apply = await runCli(dir, ['plan', 'apply', 'demo/drop']);
    expect(apply.code).toBe(3);
    const shown = await runCli(dir, ['plan', 'conflicts', 'demo/drop'], { env: { NO_COLOR: '1' } });
    expect(shown.stdout).toContain(
      'demo/drop waits on 1 conflicting file in apply:\n  build.sh  modify-delete · 1 hunk\n    ours   │ mode 100644 → 100755, content unchanged\n    base   │ #!/bin/sh\n',
    );
    const json = JSON.parse((await runCli(dir, ['plan', 'conflicts', 'demo/drop', '--json'])).stdout);
    expect(json.conflicts).toEqual([
      {
        file: 'build.sh',
        child: null,
        childName: null,
        kind: 'modify-delete',
        hunks: [{ ours: 'mode 100644 → 100755, content unchanged', base: SCRIPT, theirs: null }],
        edit: null,
      },
    ]);
  });

  it('settles with --ours: the script stays, executable, beside the rest of the plan', async () => {
    expect((await runCli(dir, ['plan', 'resolve', 'demo/drop', 'build.sh', '--ours'])).code).toBe(0);
    expect((await runCli(dir, ['plan', 'apply', 'demo/drop'])).code).toBe(0);
    expect(git(dir, 'ls-tree', 'HEAD', 'build.sh')).toMatch(/^100755 blob [0-9a-f]{40}\tbuild\.sh$/);
    expect(git(dir, 'show', 'HEAD:a.txt')).toBe('a plan');
    expect(git(dir, 'status', '--porcelain', '--untracked-files=no')).toBe('');
  });
});
