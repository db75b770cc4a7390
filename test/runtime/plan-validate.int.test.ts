import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planYaml } from './fixtures.js';
import { project } from './runtime-fixture.js';

// Validate: a failing or timed-out validate command, and running it again.

describe('runtime on real git and LevelDB', () => {
  it('fails validate with the failing command’s output and lets it run again', async () => {
    const { dir, runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({ strategy: { steps: [] }, validate: [{ run: 'test -f READY || { echo not ready >&2; exit 1; }' }] }),
    );
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({ phase: 'validate', status: 'failed' });
    expect(failed.error).toMatchObject({
      code: 'TOOL_FAILED',
      retryable: true,
      details: { exitCode: 1, stderrTail: 'not ready\n' },
    });
    // validate is safe to re-run: make it pass in the sandbox, then run it again
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, failed.sandbox!.worktree, 'READY'), '');
    expect(await runtime.runPhase(plan.id, 'validate')).toMatchObject({
      phase: 'validate',
      status: 'complete',
      error: null,
    });
  });

  it('fails validate with TIMEOUT when a command runs past its timeoutMs, naming the command', async () => {
    const { runtime } = await project();
    const plan = await runtime.createPlan(
      planYaml({
        strategy: { steps: [] },
        validate: [{ run: 'true' }, { run: 'echo slow; sleep 30', timeoutMs: 300 }],
      }),
    );
    const failed = await runtime.run(plan.id);
    expect(failed).toMatchObject({ phase: 'validate', status: 'failed' });
    expect(failed.error).toMatchObject({
      code: 'TIMEOUT',
      message: 'validate command timed out after 300 ms: echo slow; sleep 30',
      retryable: true,
      details: { run: 'echo slow; sleep 30', exitCode: null, stdoutTail: 'slow\n' },
    });
  });
});
