import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo());
  for (const name of ['demo/hello', 'demo/greeting', 'tools/lint']) expect((await runCli(dir, ['plan', 'new', '--name', name, '--goal', 'Say hello'])).code).toBe(0);
});
afterAll(() => cleanup());

describe('a plan name that matches no plan', () => {
  it.each([
    ['demo/helo', 'demo/hello'],
    ['demo/greting', 'demo/greeting'],
    ['hello', 'demo/hello'],
    ['lint', 'tools/lint'],
  ])('%s is NOT_FOUND with “did you mean %s?”', async (typed, meant) => {
    const result = await runCli(dir, ['plan', 'status', typed]);
    expect(result.code).toBe(4);
    expect(result.stderr).toBe(`error[NOT_FOUND]: no plan matches "${typed}"\nhint: did you mean ${meant}? troupe plan list --all shows the plans\n`);
  });

  it('suggests nothing when no name is close', async () => {
    const result = await runCli(dir, ['plan', 'status', 'demo/unrelated-thing']);
    expect(result.stderr).toBe('error[NOT_FOUND]: no plan matches "demo/unrelated-thing"\nhint: troupe plan list --all shows the plans\n');
  });
});
