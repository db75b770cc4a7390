import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { greeter } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// Issue 74: `troupe plan update <plan> <file>` — a live plan's checks and environment change, nothing else.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const NO_COLOR = { env: { NO_COLOR: '1' } };

async function project(): Promise<string> {
  const repo = await tempRepo({ 'README.md': '# update\n' });
  cleanups.push(repo.cleanup);
  writeFileSync(join(repo.dir, 'greet.yaml'), greeter({ validate: [{ run: 'grep -q bonjour greet.txt' }] }));
  return repo.dir;
}

describe('troupe plan update', () => {
  it('goes on with the edited file: what changed, the decision, and a failed validate passing with plan run', async () => {
    const dir = await project();
    expect((await runCli(dir, ['plan', 'run', 'greet.yaml'])).code).toBe(1);
    writeFileSync(
      join(dir, 'greet.yaml'),
      greeter({ env: { GREETING: 'bonjour', LANG: 'fr' }, validate: [{ run: 'grep -q hello greet.txt' }] }),
    );
    const updated = await runCli(
      dir,
      ['plan', 'update', 'demo/greet', 'greet.yaml', '--reason', 'say it in French'],
      NO_COLOR,
    );
    expect(updated).toMatchObject({ code: 0, stderr: '' });
    expect(updated.stdout).toMatch(/^demo\/greet: updated validate, env \(decision \w{26}\)\n/);
    expect(updated.stdout).toContain('  validate        grep -q bonjour greet.txt → grep -q hello greet.txt\n');
    expect(updated.stdout).toContain('  env             set GREETING, LANG\n');
    expect(updated.stdout).toContain('troupe plan run demo/greet validates it again\n');
    // validate runs the new command on the files execute wrote
    const run = await runCli(dir, ['plan', 'run', 'demo/greet'], NO_COLOR);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('✓ validate complete');
    const explained = (await runCli(dir, ['plan', 'explain', 'demo/greet'], NO_COLOR)).stdout;
    expect(explained).toContain('plan_update updated validate and env from the plan file');
    expect(explained).toContain('say it in French');
  });

  it('answers --json with what changed, as it was and is now', async () => {
    const dir = await project();
    expect((await runCli(dir, ['plan', 'run', 'greet.yaml', '--until', 'strategize'])).code).toBe(0);
    writeFileSync(join(dir, 'greet.yaml'), greeter({ validate: [{ run: 'true' }] }));
    const result = JSON.parse(
      (await runCli(dir, ['plan', 'update', 'demo/greet', 'greet.yaml', '--json'])).stdout,
    ) as Record<string, unknown>;
    expect(result).toMatchObject({
      changed: ['validate'],
      before: { validate: [{ run: 'grep -q bonjour greet.txt' }] },
      after: { validate: [{ run: 'true' }] },
      plan: { name: 'demo/greet' },
    });
    const again = await runCli(dir, ['plan', 'update', 'demo/greet', 'greet.yaml'], NO_COLOR);
    expect(again.stdout).toBe('demo/greet: the file changes nothing the plan goes on with; nothing recorded\n');
  });

  it('refuses a field that cannot change, an unknown plan, a missing file and a plan past validate', async () => {
    const dir = await project();
    expect((await runCli(dir, ['plan', 'new', 'greet.yaml'])).code).toBe(0);
    writeFileSync(join(dir, 'renamed.yaml'), greeter({ name: 'demo/x', resourceScopes: ['src/**'] }));
    const refused = await runCli(dir, ['plan', 'update', 'demo/greet', 'renamed.yaml'], NO_COLOR);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      'error[VALIDATION_ERROR]: renamed.yaml: 2 problems\n  name: cannot change in a live plan (was demo/greet)\n  resourceScopes: cannot change in a live plan (was not set)\n',
    );
    expect(refused.stderr).toContain(
      'hint: a live plan takes changes to validate, env, invariants, sandbox.limits and network only',
    );
    expect(await runCli(dir, ['plan', 'update', 'demo/nope', 'greet.yaml'], NO_COLOR)).toMatchObject({
      code: 4,
      stderr: expect.stringContaining('error[NOT_FOUND]: no plan matches "demo/nope"'),
    });
    expect(await runCli(dir, ['plan', 'update', 'demo/greet', 'nope.yaml'], NO_COLOR)).toMatchObject({
      code: 4,
      stderr: expect.stringContaining('error[NOT_FOUND]: no such file: nope.yaml'),
    });
    writeFileSync(join(dir, 'greet.yaml'), greeter());
    expect((await runCli(dir, ['plan', 'update', 'demo/greet', 'greet.yaml'])).code).toBe(0);
    expect((await runCli(dir, ['plan', 'run', 'demo/greet'])).code).toBe(0);
    const late = await runCli(dir, ['plan', 'update', 'demo/greet', 'greet.yaml'], NO_COLOR);
    expect(late.code).toBe(2);
    expect(late.stderr).toContain('error[PHASE_GUARD]: cannot update demo/greet: it passed validate');
  });
});
