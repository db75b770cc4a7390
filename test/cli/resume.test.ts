import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { FILES, ranPlan } from './plan-fixture.js';
import { runCli } from './run-cli.js';

let dir: string;
let cleanup: () => Promise<void>;
let plan: PlanRecord;
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo(FILES));
  plan = await ranPlan(dir, 'demo/resume');
});
afterAll(() => cleanup());

describe('troupe plan resume', () => {
  it('prints the named plan where it rests: one record with --json', async () => {
    const result = await runCli(dir, ['plan', 'resume', 'demo/resume', '--json']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ id: plan.id, phase: 'validate', status: 'complete' });
    const human = await runCli(dir, ['plan', 'resume', 'demo/resume']);
    expect(human.stdout).toMatch(/^demo\/resume {2}\w+\n {2}phase +validate · complete\n/);
    expect(human.stdout).toContain('next: troupe plan apply demo/resume');
  });

  it('resumes every plan that has not ended: an array with --json', async () => {
    const result = await runCli(dir, ['plan', 'resume', '--json']);
    expect(result.code).toBe(0);
    const records = JSON.parse(result.stdout) as PlanRecord[];
    expect(Array.isArray(records)).toBe(true);
    expect(records.map((record) => record.id)).toContain(plan.id);
    const human = await runCli(dir, ['plan', 'resume']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^demo/resume {2}${plan.id}\n {2}phase +validate · complete\n`));
    expect(human.stdout).toContain('next: troupe plan apply demo/resume');
  });

  it('says when there is nothing to resume, and NOT_FOUND for an unknown plan', async () => {
    expect((await runCli(dir, ['plan', 'cancel', 'demo/resume'])).code).toBe(0);
    const none = await runCli(dir, ['plan', 'resume']);
    expect(none).toMatchObject({
      code: 0,
      stdout: 'no plans to resume: every plan has ended (troupe plan list --all shows them)\n',
    });
    expect(JSON.parse((await runCli(dir, ['plan', 'resume', '--json'])).stdout)).toEqual([]);
    const unknown = await runCli(dir, ['plan', 'resume', 'demo/nope']);
    expect(unknown.code).toBe(4);
    expect(unknown.stderr).toContain('error[NOT_FOUND]: no plan matches "demo/nope"');
  });
});
