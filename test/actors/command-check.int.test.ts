import { describe, expect, it } from 'vitest';
import { processesWith } from '../helpers/processes.js';
import { executedPlan, type StoreKind } from './checks-fixture.js';

// The command check: its verdict and message, its sandbox and environment,
// its timeout and cancellation.

describe.each<StoreKind>(['level', 'memory'])('the command check (%s store)', (kind) => {
  it('passes on exit 0 and answers a complete result', async () => {
    const { check } = await executedPlan(kind);
    const result = await check({ id: 'tests-pass', tier: 'project', check: 'command', run: 'test -f src/b.ts' });
    expect(result).toEqual({
      id: 'tests-pass',
      tier: 'project',
      check: 'command',
      passed: true,
      message: expect.stringMatching(/^exit 0 in \d+ ms$/),
      durationMs: expect.any(Number),
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails with the exit code and the last line of stderr (or stdout)', async () => {
    const { check } = await executedPlan(kind);
    expect(
      await check({ check: 'command', run: 'echo running >&2; echo "3 tests failed" >&2; echo ok; exit 3' }),
    ).toMatchObject({
      passed: false,
      message: 'exit code 3: 3 tests failed',
    });
    expect(await check({ check: 'command', run: 'echo "lint: 2 errors"; exit 2' })).toMatchObject({
      passed: false,
      message: 'exit code 2: lint: 2 errors',
    });
    expect(await check({ check: 'command', run: 'exit 4' })).toMatchObject({ passed: false, message: 'exit code 4' });
    expect(await check({ check: 'command', run: 'no-such-command-troupe' })).toMatchObject({
      passed: false,
      message: expect.stringMatching(/^exit code 127: .*not found/),
    });
  });

  it('runs in the sandbox with the plan’s env and nothing of troupe’s own environment', async () => {
    const { check, root } = await executedPlan(kind);
    // the plan's worktree, seen at the project's own path (docs/explanation/sandbox.md#the-projects-own-paths): its file is there
    expect(await check({ check: 'command', run: 'pwd -P >&2; exit 1' })).toMatchObject({
      message: `exit code 1: ${root}`,
    });
    expect(
      await check({ check: 'command', run: 'test -f src/b.ts && echo "$(git branch --show-current)" >&2; exit 1' }),
    ).toMatchObject({ message: expect.stringMatching(/^exit code 1: troupe\//) });
    process.env.TROUPE_CHECK_TEST_LEAK = 'leaked';
    try {
      expect(
        await check({ check: 'command', run: 'echo "$GREETING|${TROUPE_CHECK_TEST_LEAK:-unset}" >&2; exit 1' }),
      ).toMatchObject({
        message: 'exit code 1: hello from the plan|unset',
      });
    } finally {
      delete process.env.TROUPE_CHECK_TEST_LEAK;
    }
    // the sandbox, not the project: the step's file is there, and the project does not have it
    expect(await check({ check: 'command', run: 'test -f src/b.ts && test -f docs/guide.md' })).toMatchObject({
      passed: true,
    });
  });

  it('fails a command that outlives timeoutMs with TIMEOUT, soon, and leaves none of its processes running', async () => {
    const { check } = await executedPlan(kind);
    const marker = `5.${process.pid}1`;
    const run = `sleep ${marker} & wait`;
    const started = performance.now();
    const result = await check({ check: 'command', run, timeoutMs: 300 });
    const took = performance.now() - started;
    expect(result).toMatchObject({ passed: false, message: `TIMEOUT after 300 ms: ${run}` });
    expect(took).toBeLessThan(3_000);
    // the background sleep is in the command's sandbox: it dies with it
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 1_000, interval: 20 }).toEqual([]);
  });

  it('stops the command when the plan is cancelled (the signal aborts) and says so', async () => {
    const { check } = await executedPlan(kind);
    const controller = new AbortController();
    const marker = `5.${process.pid}2`;
    const run = `sleep ${marker} & wait`;
    setTimeout(() => controller.abort(), 200);
    const started = performance.now();
    const result = await check({ check: 'command', run }, { signal: controller.signal });
    expect(result).toMatchObject({ passed: false, message: `cancelled while running: ${run}` });
    expect(performance.now() - started).toBeLessThan(3_000);
    await expect.poll(() => processesWith(`sleep ${marker}`), { timeout: 1_000, interval: 20 }).toEqual([]);
  });
});
