import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// Issue 74: a plan starts from the last commit; plan run says when the user's uncommitted edits sit where it may write.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
const NO_COLOR = { env: { NO_COLOR: '1' } };

async function repo(): Promise<string> {
  const made = await tempRepo({ 'README.md': '# notes\n', 'src/a.ts': 'export const a = 1;\n' });
  cleanups.push(made.cleanup);
  return made.dir;
}

const plan = (name: string, scopes?: string[]) =>
  planYaml({
    name,
    ...(scopes ? { resourceScopes: scopes } : {}),
    strategy: { steps: [step('Write b', 'fs/write-file', { path: 'src/b.ts', content: 'export const b = 2;\n' })] },
  });

describe('plan run and the user’s uncommitted changes', () => {
  it('names the uncommitted files in the paths the plan may write, not the others nor the plan file, and runs anyway', async () => {
    const dir = await repo();
    writeFileSync(join(dir, 'src/a.ts'), 'export const a = 2; // not committed\n');
    mkdirSync(join(dir, 'src/new'));
    writeFileSync(join(dir, 'src/new/c.ts'), 'export const c = 3;\n');
    writeFileSync(join(dir, 'README.md'), '# notes, edited\n');
    writeFileSync(join(dir, 'scoped.yaml'), plan('demo/scoped', ['src/**']));
    const result = await runCli(dir, ['plan', 'run', 'scoped.yaml', '--until', 'strategize'], NO_COLOR);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      '! 2 files you have not committed are in the paths demo/scoped may write: src/a.ts, src/new/c.ts — the plan starts from your last commit and does not see them (commit them first if it should; docs/reference/plan-file.md#resource-scopes)\n',
    );
    expect(result.stderr).not.toContain('README.md');

    // no scopes: it may write anywhere, so README.md counts too; the plan file does not
    writeFileSync(join(dir, 'anywhere.yaml'), plan('demo/anywhere'));
    const anywhere = await runCli(dir, ['plan', 'run', 'anywhere.yaml', '--until', 'strategize'], NO_COLOR);
    expect(anywhere.stderr).toContain(
      '! 4 files you have not committed are in the paths demo/anywhere may write: README.md, scoped.yaml, src/a.ts, src/new/c.ts — ',
    );
    expect(anywhere.stderr).not.toContain('anywhere.yaml,');
  });

  it('says nothing when the paths the plan may write are committed', async () => {
    const dir = await repo();
    writeFileSync(join(dir, 'README.md'), '# notes, edited\n');
    writeFileSync(join(dir, 'clean.yaml'), plan('demo/clean', ['src/**']));
    const result = await runCli(dir, ['plan', 'run', 'clean.yaml', '--until', 'strategize'], NO_COLOR);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toContain('you have not committed');
  });
});
