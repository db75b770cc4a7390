import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent, PlanRecord } from '../../src/index.js';
import type { DoctorReport } from '../../src/runtime/index.js';
import { ACME_PLUGIN, STAMP_PLAN, pluginProject, writeConfig } from '../runtime/plugin-fixtures.js';
import { packageRoot } from '../../src/cli/package-root.js';
import { runCli } from './run-cli.js';

// SPEC §17 through the CLI: .troupe/config.json "plugins" registers tools,
// checks and actors for every troupe command; a broken plugin stops only
// what runs plans.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(config: unknown): Promise<string> {
  const made = await pluginProject({ 'troupe.plugins.mjs': ACME_PLUGIN, 'plans/stamp.yaml': STAMP_PLAN }, config);
  cleanups.push(made.cleanup);
  return made.dir;
}

describe('plugins in the CLI', () => {
  it('runs a plan on a plugin’s strategist, tool and check', async () => {
    const dir = await project({ plugins: ['./troupe.plugins.mjs'], actors: { strategist: 'acme-planner' } });
    const run = await runCli(dir, ['plan', 'run', 'plans/stamp.yaml', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout) as PlanRecord).toMatchObject({ name: 'acme/stamp', phase: 'apply', status: 'done' });
    // the tool's command ran in the sandbox, and apply brought its file home
    expect(readFileSync(join(dir, 'STAMP'), 'utf8')).toBe('stamped by a plugin\n');

    const explain = JSON.parse((await runCli(dir, ['plan', 'explain', 'acme/stamp', '--json'])).stdout) as {
      root: { actor: string; rationale: string; children: { title: string }[] };
    };
    expect(explain.root).toMatchObject({ actor: 'acme-planner', rationale: 'stamped by acme-planner' });
    expect(explain.root.children.map((child) => child.title)).toContain('Stamp');

    const events = (await runCli(dir, ['events', 'acme/stamp', '--json'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalEvent);
    const checked = events
      .filter((event) => event.type === 'invariant.reconciled')
      .map((event) => [
        event.data['trigger'],
        (event.data['results'] as { id: string; check: string; message: string }[]).find(
          (result) => result.id === 'small',
        ),
      ]);
    expect(checked).toEqual(
      expect.arrayContaining([
        ['post-strategize', expect.objectContaining({ check: 'acme/changed-at-most', message: '0 changed' })],
        ['post-step', expect.objectContaining({ check: 'acme/changed-at-most', message: '1 changed' })],
      ]),
    );
  });

  it('refuses to run plans while a plugin is broken, and still shows and lists them', async () => {
    const dir = await project({ plugins: ['./troupe.plugins.mjs'], actors: { strategist: 'acme-planner' } });
    expect((await runCli(dir, ['plan', 'new', 'plans/stamp.yaml'])).code).toBe(0);
    writeConfig(dir, { plugins: ['./troupe.plugins.mjs', './gone.mjs'], actors: { strategist: 'acme-planner' } });

    const run = await runCli(dir, ['plan', 'run', 'acme/stamp']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `error[VALIDATION_ERROR]: plugins[1] "./gone.mjs": no such file: ${join(dir, 'gone.mjs')}\n` +
        `hint: fix the plugin or remove it from "plugins" in .troupe/config.json; troupe doctor loads them (${join(packageRoot(), 'docs/reference/plugins.md')})\n`,
    );
    const created = await runCli(dir, ['plan', 'run', 'plans/stamp.yaml', '--json']);
    expect(created.code).toBe(2);
    expect(JSON.parse(created.stdout)).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('plugins[1] "./gone.mjs"') },
    });

    const status = await runCli(dir, ['plan', 'status', 'acme/stamp', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout) as PlanRecord).toMatchObject({
      name: 'acme/stamp',
      phase: 'strategize',
      status: 'queued',
    });
    const list = await runCli(dir, ['plan', 'list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((plan) => plan.name)).toEqual(['acme/stamp']);
    expect((await runCli(dir, ['plan', 'cancel', 'acme/stamp'])).code).toBe(0);
  });

  it('prints a plugin that throws on import as one line naming where, with no stack', async () => {
    const made = await pluginProject(
      { 'boom.mjs': "throw new TypeError('the plugin needs ACME_TOKEN');\n" },
      { plugins: ['./boom.mjs'] },
    );
    cleanups.push(made.cleanup);
    const run = await runCli(made.dir, ['plan', 'list']);
    expect(run.code).toBe(0);
    const created = await runCli(made.dir, ['plan', 'new', '--name', 'demo/x', '--goal', 'Anything']);
    expect(created.code).toBe(2);
    expect(created.stderr.split('\n')[0]).toBe(
      `error[VALIDATION_ERROR]: plugins[0] "./boom.mjs": threw on import: TypeError: the plugin needs ACME_TOKEN (at ${join(made.dir, 'boom.mjs')}:1:7)`,
    );
    expect(created.stderr).not.toMatch(/\n\s+at /);
  });

  it('has troupe doctor load the plugins: what each registers, or which failed', async () => {
    const dir = await project({ plugins: ['./troupe.plugins.mjs'] });
    const good = await runCli(dir, ['doctor', '--json']);
    const plugins = (JSON.parse(good.stdout) as DoctorReport).checks.find((check) => check.name === 'plugins');
    expect(plugins).toEqual({
      name: 'plugins',
      ok: true,
      detail: 'acme-tools (./troupe.plugins.mjs): tool acme/stamp, check acme/changed-at-most, strategist acme-planner',
    });

    writeConfig(dir, { plugins: ['./troupe.plugins.mjs', 'acme-missing'] });
    const bad = await runCli(dir, ['doctor']);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(
      `✗ plugins          plugins[1] "acme-missing": no package "acme-missing" in node_modules of ${dir} or a folder above (npm install it in the project)\n`,
    );
    expect(bad.stdout).toContain('fix: fix the plugin or remove it from "plugins" in .troupe/config.json');
  });
});
