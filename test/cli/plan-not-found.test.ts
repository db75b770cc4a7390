import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

let dir: string;
let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo());
  root = realpathSync(dir);
  for (const name of ['demo/hello', 'demo/greeting', 'tools/lint'])
    expect((await runCli(dir, ['plan', 'new', '--name', name, '--goal', 'Say hello'])).code).toBe(0);
});
afterAll(() => cleanup());

describe('a plan name that matches no plan', () => {
  it.each([
    ['demo/helo', 'demo/hello'],
    ['demo/greting', 'demo/greeting'],
    ['hello', 'demo/hello'],
    ['lint', 'tools/lint'],
  ])('%s is NOT_FOUND in the project, with “did you mean %s?”', async (typed, meant) => {
    const result = await runCli(dir, ['plan', 'status', typed]);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(
      `error[NOT_FOUND]: no plan matches "${typed}" in ${root}\nhint: did you mean ${meant}? troupe plan list --all shows the plans\n`,
    );
  });

  it('suggests nothing when no name is close', async () => {
    const result = await runCli(dir, ['plan', 'status', 'demo/unrelated-thing']);
    expect(result.stderr).toBe(
      `error[NOT_FOUND]: no plan matches "demo/unrelated-thing" in ${root}\nhint: troupe plan list --all shows the plans\n`,
    );
  });

  it('names the project root from a subdirectory too, and in --json details (issue 36)', async () => {
    mkdirSync(join(dir, 'sub'), { recursive: true });
    const result = await runCli(join(dir, 'sub'), ['plan', 'run', 'demo/helo', '--json']);
    expect(JSON.parse(result.stdout).error).toEqual({
      code: 'NOT_FOUND',
      message: `no plan matches "demo/helo" in ${root}`,
      hint: 'did you mean demo/hello? troupe plan list --all shows the plans',
      details: { ref: 'demo/helo', projectRoot: root, suggestion: 'demo/hello' },
    });
  });

  it.each([['plan', 'changes'], ['plan', 'conflicts'], ['checkpoint', 'list'], ['events']])(
    'troupe %s %s names the project root',
    async (...command) => {
      const result = await runCli(dir, [...command.filter(Boolean), 'demo/helo']);
      expect(result.code).toBe(4);
      expect(result.stderr).toContain(`no plan matches "demo/helo" in ${root}\nhint: did you mean demo/hello?`);
    },
  );
});
