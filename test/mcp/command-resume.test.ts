import { afterEach, describe, expect, it } from 'vitest';
import { resumedCommand } from '../../src/mcp/command-resume.js';
import { planYaml, projectWithRuntime } from '../runtime/fixtures.js';

// What a run_command task carried on by a restarted troupe mcp answers
// (docs/reference/mcp.md#tasks), read back from what the plan recorded: a step that
// wrote, a read that did not, and a call that never became either.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const exec = (command: string) => ({ tool: 'shell/exec', input: { command } });

describe('a run_command task carried on after a restart', () => {
  it('answers a step with its exit code, output and commit; a read as a read; a call that never ran as CANCELLED', async () => {
    const made = await projectWithRuntime();
    cleanups.push(made.close);
    const { runtime } = made;
    const plan = await runtime.run(
      (await runtime.createPlan(planYaml({ name: 'demo/tasks', resourceScopes: ['notes.txt'] }))).id,
    );
    const wrote = await runtime.callTool(plan.id, exec('echo n > notes.txt && echo done'));
    expect(wrote).toMatchObject({ ok: true, step: 0, wrote: true });
    const step = await resumedCommand(runtime, plan.id, 'echo n > notes.txt && echo done');
    expect(step).toMatchObject({
      ok: true,
      tool: 'shell/exec',
      step: 0,
      read: null,
      wrote: true,
      output: { exitCode: 0, stdout: 'done\n' },
    });
    expect(step.commit).toBe(wrote.ok ? wrote.commit : null);

    const read = await runtime.callTool(plan.id, exec('cat notes.txt'));
    expect(read).toMatchObject({ ok: true, step: null, read: 1 });
    expect(await resumedCommand(runtime, plan.id, 'cat notes.txt')).toMatchObject({
      ok: true,
      step: null,
      read: 1,
      wrote: false,
      output: { exitCode: 0, stdout: 'n\n' },
    });

    await expect(resumedCommand(runtime, plan.id, 'never ran')).rejects.toMatchObject({
      code: 'CANCELLED',
      hint: 'call run_command again',
    });
  }, 60_000);
});
