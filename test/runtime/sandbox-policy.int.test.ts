import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DecisionNode } from '../../src/domain/index.js';
import { createRuntime, type RuntimeOptions } from '../../src/runtime/index.js';
import { tempRepo, visibleTempDir } from '../helpers/temp.js';
import { planYaml, projectWithConfig, step } from './fixtures.js';

// How a project's sandbox settings reach its plans (SPEC §15): the mode and
// network, what is recorded and journaled, SANDBOX_UNAVAILABLE wherever a
// command runs, and the settings troupe refuses.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const projectWith = (config: unknown, options: Omit<RuntimeOptions, 'dir'> = {}) =>
  projectWithConfig(config, cleanups, options);

function policyDecisions(node: DecisionNode | null): DecisionNode[] {
  if (!node) return [];
  return [...(node.type === 'sandbox_policy' ? [node] : []), ...node.children.flatMap(policyDecisions)];
}

describe('the project’s sandbox settings', () => {
  it('"sandbox": {"mode": "off"}: commands run unconfined, warned once per process and journaled once per plan, with a decision', async () => {
    const outside = await visibleTempDir('troupe-off-');
    cleanups.push(outside.cleanup);
    const warnings: string[] = [];
    const { runtime } = await projectWith({ sandbox: { mode: 'off' } }, { warn: (message) => warnings.push(message) });
    const steps = [
      step('Out', 'shell/run', { command: `echo out > ${outside.dir}/written.txt` }),
      step('Again', 'shell/run', { command: 'true' }),
    ];
    const first = await runtime.createPlan(planYaml({ name: 'demo/off-1', strategy: { steps } }));
    const second = await runtime.createPlan(
      planYaml({ name: 'demo/off-2', strategy: { steps: [step('One', 'shell/run', { command: 'true' })] } }),
    );
    expect(await runtime.run(first.id)).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(await runtime.run(second.id)).toMatchObject({ phase: 'validate', status: 'complete' });
    expect(existsSync(join(outside.dir, 'written.txt'))).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('commands run unconfined')]);
    for (const plan of [first, second]) {
      const journaled = (await runtime.events(plan.id)).filter((event) => event.type === 'sandbox.unconfined');
      expect(journaled).toHaveLength(1);
      expect(journaled[0]).toMatchObject({ phase: 'execute', data: { mode: 'off' } });
      expect(
        policyDecisions((await runtime.explain(plan.id)).root).map((decision) => [decision.title, decision.payload]),
      ).toEqual([['Commands run unconfined: the sandbox is off', { network: true, mode: 'off' }]]);
    }
  });

  it('"network": true in the project config gives every plan the network, said in its decision', async () => {
    const { runtime } = await projectWith({ network: true });
    const plan = await runtime.createPlan(planYaml({ name: 'demo/net' }));
    await runtime.run(plan.id, { until: 'strategize' });
    const [decision] = policyDecisions((await runtime.explain(plan.id)).root);
    expect(decision).toMatchObject({
      type: 'sandbox_policy',
      title: 'Commands may use the network',
      payload: { network: true },
      actor: 'runtime',
    });
    expect(decision!.rationale).toContain('"network": true in .troupe/config.json');
  });

  it('refuses a setting it cannot use, naming the field, before the store is opened', async () => {
    const refused = async (config: unknown) => {
      const repo = await tempRepo({ 'README.md': '# project\n', 'src/a.ts': 'export const a = 1;\n' });
      cleanups.push(repo.cleanup);
      mkdirSync(join(repo.dir, '.troupe'), { recursive: true });
      writeFileSync(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
      const error = await createRuntime({ dir: repo.dir, report: () => {} }).then(
        async (runtime) => {
          await runtime.close();
          return null;
        },
        (caught: unknown) => caught,
      );
      if (error !== null) {
        // nothing written: no store, no worktrees folder, no line in git's exclude file
        expect(readdirSync(join(repo.dir, '.troupe'))).toEqual(['config.json']);
        expect(readFileSync(join(repo.dir, '.git', 'info', 'exclude'), 'utf8')).not.toContain('.troupe');
      }
      return error;
    };
    expect(await refused({ sandbox: { mode: 'sometimes' } })).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('sandbox.mode: must be "contained" (the default) or "off"'),
    });
    expect(await refused({ sandbox: { hide: ['relative/path'] } })).toMatchObject({
      message: expect.stringContaining('sandbox.hide[0]: must be an absolute path or start with ~/'),
    });
    expect(await refused({ sandbox: { share: ['/abs'] } })).toMatchObject({
      message: expect.stringContaining('sandbox.share[0]: must be relative to the project root'),
    });
    expect(await refused({ sandbox: { share: ['a/../b'] } })).toMatchObject({
      message: expect.stringContaining('sandbox.share[0]: must not contain ".." segments'),
    });
    expect(await refused({ sandbox: { share: ['.git/hooks'] } })).toMatchObject({
      message: expect.stringContaining('sandbox.share[0]: must not point into .git or .troupe'),
    });
    expect(await refused({ sandbox: { share: ['node_modules', 'src'] } })).toMatchObject({
      message: expect.stringContaining('sandbox.share[1]: "src" is tracked by git'),
      hint: expect.stringContaining('remove it from sandbox.share'),
    });
    expect(await refused({ sandbox: { share: ['README.md'] } })).toMatchObject({
      message: expect.stringContaining('sandbox.share[0]: "README.md" is tracked by git'),
    });
    expect(await refused({ sandbox: { bwrap: 'bwrap' } })).toMatchObject({
      message: expect.stringContaining('sandbox.bwrap: must be the absolute path of the bwrap program'),
    });
    expect(await refused({ network: 'yes' })).toMatchObject({
      message: expect.stringContaining('network: must be true, false, or { allow: [host names] }'),
    });
    expect(await refused({ network: { allow: ['api.*.example.com'] } })).toMatchObject({
      message: expect.stringContaining('network.allow[0]: "api.*.example.com": a wildcard may only come first'),
    });
    expect(await refused({ sandbox: { share: ['node_modules'], hide: ['~/x', '/y', '~'] } })).toBeNull();
  });
});

describe('a config that came with the repository', () => {
  const LOOSE = { sandbox: { mode: 'off', share: ['node_modules'] }, network: true, plugins: ['./evil.mjs'] };

  async function opened(dir: string): Promise<unknown> {
    return createRuntime({ dir, report: () => {}, warn: () => {} }).then(
      async (runtime) => {
        await runtime.close();
        return null;
      },
      (caught: unknown) => caught,
    );
  }

  it('may not load code or loosen containment when git tracks it, and nothing is written or run', async () => {
    // a repository one clones, with a config of its own and the plugin it names
    const repo = await tempRepo({
      'README.md': '# cloned\n',
      '.troupe/config.json': JSON.stringify(LOOSE),
      'evil.mjs': `import { writeFileSync } from 'node:fs'; writeFileSync(new URL('./evil-ran', import.meta.url), 'ran'); export default { name: 'evil' };`,
    });
    cleanups.push(repo.cleanup);
    const error = await opened(repo.dir);
    expect(error).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('plugins: may be set only in your own config'),
      hint: expect.stringContaining('git rm -r --cached .troupe'),
    });
    const issues = (error as { details: { issues: { path: string }[] } }).details.issues.map((issue) => issue.path);
    expect(issues).toEqual(['plugins', 'sandbox.mode', 'sandbox.share', 'network']);
    expect(existsSync(join(repo.dir, 'evil-ran'))).toBe(false);
    expect(readdirSync(join(repo.dir, '.troupe'))).toEqual(['config.json']);
  });

  it('may not either through a link to a file git tracks', async () => {
    const repo = await tempRepo({
      'README.md': '# cloned\n',
      'settings/troupe.json': JSON.stringify({ sandbox: { mode: 'off' } }),
    });
    cleanups.push(repo.cleanup);
    mkdirSync(join(repo.dir, '.troupe'));
    symlinkSync('../settings/troupe.json', join(repo.dir, '.troupe', 'config.json'));
    expect(await opened(repo.dir)).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('sandbox.mode: may be set only in your own config'),
    });
  });

  it('may set invariants and actors, and the user’s own untracked config may set anything', async () => {
    const tracked = await tempRepo({
      'README.md': '# cloned\n',
      '.troupe/config.json': JSON.stringify({
        invariants: [{ id: 'readme', check: 'file-exists', path: 'README.md' }],
        sandbox: { hide: ['~/work'] },
      }),
    });
    cleanups.push(tracked.cleanup);
    expect(await opened(tracked.dir)).toBeNull();
    const own = await tempRepo({ 'README.md': '# mine\n' });
    cleanups.push(own.cleanup);
    mkdirSync(join(own.dir, '.troupe'));
    writeFileSync(join(own.dir, '.troupe', 'config.json'), JSON.stringify({ sandbox: { mode: 'off' }, network: true }));
    expect(await opened(own.dir)).toBeNull();
  });
});

describe('SANDBOX_UNAVAILABLE wherever a command runs', () => {
  const noBwrap = { sandbox: { bwrap: '/nonexistent/bwrap' } };

  it('a step fails with it, retryable: once bubblewrap is there the step runs', async () => {
    const { dir, runtime } = await projectWith(noBwrap);
    const plan = await runtime.createPlan(
      planYaml({ strategy: { steps: [step('Run', 'shell/run', { command: 'echo hi > hi.txt' })] } }),
    );
    const failed = await runtime.run(plan.id, { until: 'execute' });
    expect(failed).toMatchObject({
      phase: 'execute',
      status: 'failed',
      error: {
        code: 'SANDBOX_UNAVAILABLE',
        step: 0,
        retryable: true,
        message: expect.stringContaining('/nonexistent/bwrap'),
        hint: expect.stringContaining('apt-get install bubblewrap'),
      },
    });
    expect(existsSync(join(dir, failed.sandbox!.worktree, 'hi.txt'))).toBe(false);
    // bubblewrap found again (the project's setting fixed): the same step runs
    await runtime.close();
    writeFileSync(join(dir, '.troupe', 'config.json'), '{}');
    const fixed = await createRuntime({ dir, report: () => {}, warn: () => {} });
    cleanups.push(() => fixed.close());
    expect(await fixed.runPhase(plan.id, 'execute')).toMatchObject({
      phase: 'execute',
      status: 'complete',
      lastCompletedStep: 0,
    });
  });

  it('validate fails with it, naming the command, retryable', async () => {
    const { runtime } = await projectWith(noBwrap);
    const plan = await runtime.createPlan(planYaml({ strategy: { steps: [] }, validate: [{ run: 'npm test' }] }));
    expect(await runtime.run(plan.id, { until: 'validate' })).toMatchObject({
      phase: 'validate',
      status: 'failed',
      error: {
        code: 'SANDBOX_UNAVAILABLE',
        retryable: true,
        message: expect.stringContaining('(validate command: npm test)'),
      },
    });
  });

  it('a command check that cannot run is a violation saying so, and the plan’s error is SANDBOX_UNAVAILABLE', async () => {
    const { runtime } = await projectWith(noBwrap);
    const plan = await runtime.createPlan(
      planYaml({ invariants: [{ id: 'tests', check: 'command', run: 'npm test' }] }),
    );
    const failed = await runtime.run(plan.id, { until: 'strategize' });
    expect(failed).toMatchObject({
      phase: 'strategize',
      status: 'failed',
      error: { code: 'SANDBOX_UNAVAILABLE', hint: expect.stringContaining('install bubblewrap') },
    });
    expect((failed.error!.details as { violations: { message: string }[] }).violations[0]!.message).toMatch(
      /^SANDBOX_UNAVAILABLE: commands cannot be contained/,
    );
  });

  it('a command check beside one that broke the rule: the plan’s error stays INVARIANT_VIOLATED', async () => {
    const { runtime } = await projectWith(noBwrap);
    const plan = await runtime.createPlan(
      planYaml({
        invariants: [
          { id: 'tests', check: 'command', run: 'npm test' },
          { id: 'license', check: 'file-exists', path: 'LICENSE' },
        ],
      }),
    );
    expect(await runtime.run(plan.id, { until: 'strategize' })).toMatchObject({
      error: { code: 'INVARIANT_VIOLATED' },
    });
  });
});
