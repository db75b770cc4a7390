import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent, PlanRecord } from '../../src/domain/index.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// Many troupe commands as real processes on one project (SPEC §11, issue 18):
// whichever of them owns the store, starts or hands it over, every one gets
// its answer. Runs the built CLI: `npm run build` first.

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));

interface Ran {
  argv: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

function troupe(dir: string, argv: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...argv], {
      cwd: dir,
      env: { ...GIT_ENV, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ argv, code, stdout, stderr }));
  });
}

/** `count` waves of `size` commands, a wave every `gapMs`; every command's result once all have ended. */
async function waves(
  count: number,
  size: number,
  gapMs: number,
  start: (wave: number, index: number) => Promise<Ran>,
): Promise<Ran[]> {
  const runs: Promise<Ran>[] = [];
  for (let wave = 0; wave < count; wave += 1) {
    for (let index = 0; index < size; index += 1) runs.push(start(wave, index));
    await sleep(gapMs);
  }
  return Promise.all(runs);
}

function failures(runs: Ran[]): string[] {
  return runs
    .filter((run) => run.code !== 0)
    .map((run) => `troupe ${run.argv.join(' ')} → ${run.code}: ${(run.stdout + run.stderr).trim().slice(0, 400)}`);
}

const SLOW = (name: string) =>
  planYaml({
    name,
    automation: 'auto',
    strategy: {
      steps: [
        step('Wait', 'shell/run', { command: 'sleep 1' }),
        step('Write', 'fs/write-file', { path: `${name.replace('/', '-')}.txt`, content: 'x\n' }),
      ],
    },
  });

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  if (!existsSync(new URL('../../dist/src/cli/bin.js', import.meta.url)))
    throw new Error('the CLI is not built: run npm run build first');
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# many commands\n' }));
  writeFileSync(
    join(dir, 'x.yaml'),
    planYaml({ strategy: { steps: [step('Write', 'fs/write-file', { path: 'x.txt', content: 'x\n' })] } }),
  );
  for (const name of ['demo/slow-1', 'demo/slow-2'])
    writeFileSync(join(dir, `${name.replace('/', '-')}.yaml`), SLOW(name));
  const created = [];
  for (const file of ['x.yaml', 'demo-slow-1.yaml', 'demo-slow-2.yaml'])
    created.push(await troupe(dir, ['plan', 'new', file, '--json']));
  expect(failures(created)).toEqual([]);
});
afterAll(async () => {
  await cleanup?.();
});

describe('many troupe commands at once on one project', () => {
  it('answers every plan status started in waves of three while no plan runs and owners come and go', async () => {
    // the probe of issue 18 (34 of 90 failed with INTERNAL_ERROR before): real processes, each may own the store in turn
    const runs = await waves(20, 3, 400, () => troupe(dir, ['plan', 'status', 'demo/x', '--json']));
    expect(failures(runs)).toEqual([]);
    for (const run of runs) expect((JSON.parse(run.stdout) as PlanRecord).name).toBe('demo/x');
  }, 120_000);

  it('answers every command started while plans run and end in other processes, and does what each asked once', async () => {
    const mixed = (wave: number, index: number): Promise<Ran> => {
      switch (index) {
        case 0:
          return troupe(dir, ['plan', 'status', wave < 18 ? 'demo/slow-1' : 'demo/slow-2', '--json']);
        case 1:
          return troupe(dir, ['plan', 'list', '--all', '--json']);
        case 2:
          return troupe(dir, ['plan', 'new', '--name', `stress/w${wave}`, '--goal', 'Be created once', '--json']);
        default:
          return troupe(dir, ['events', 'demo/x', '--json']);
      }
    };
    // two plans driven one after the other by processes of their own: each owns the store for a while, then hands it over
    const driven = (async () => [
      await troupe(dir, ['plan', 'run', 'demo/slow-1', '--json']),
      await troupe(dir, ['plan', 'run', 'demo/slow-2', '--json']),
    ])();
    const followed = troupe(dir, ['events', 'demo/slow-2', '--follow', '--json']);
    const runs = await waves(35, 4, 250, mixed);
    const plans = await driven;
    const follow = await followed;
    expect(failures([...runs, ...plans, follow])).toEqual([]);
    // with the 60 above and the 3 that made the plans: more than 200 commands
    expect(runs.length + plans.length + 1).toBe(143);

    for (const plan of plans) expect(JSON.parse(plan.stdout)).toMatchObject({ phase: 'apply', status: 'done' });
    // followed from before it ran to its end, across the owners of the store
    const followedEvents = follow.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as JournalEvent);
    expect(followedEvents[0]!.type).toBe('plan.created');
    expect(followedEvents.at(-1)).toMatchObject({ type: 'phase.completed', phase: 'apply' });
    expect(followedEvents.map((event) => event.seq)).toEqual(followedEvents.map((_, index) => index + 1));
    // each plan new was done once: asked again only of an owner that had not started it
    const listed = JSON.parse((await troupe(dir, ['plan', 'list', '--all', '--json'])).stdout) as PlanRecord[];
    const stress = listed.map((plan) => plan.name).filter((name) => name.startsWith('stress/'));
    expect(stress.sort()).toEqual(Array.from({ length: 35 }, (_, wave) => `stress/w${wave}`).sort());
  }, 120_000);
});
