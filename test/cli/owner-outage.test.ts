import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { git, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';

// Issue 43 through the CLI: `troupe plan run` and `troupe plan resume` on a
// PostgreSQL store that stops and starts again mid-step. Each process says
// once that it waits and once that the store is back, prints no stack
// trace, exits 0, and the plan ends as an uninterrupted run does: the same
// files, each step's effect once, a journal with no gap.

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));

const PLAN = planYaml({
  name: 'demo/outage',
  strategy: {
    steps: [
      step('One', 'shell/run', { command: 'sleep 3 && echo one >> log.txt' }),
      step('Two', 'shell/run', { command: 'sleep 3 && echo two >> log.txt' }),
      step('Three', 'fs/write-file', { path: 'three.txt', content: 'three\n' }),
    ],
  },
});

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function troupe(dir: string, argv: string[]): { ended: Promise<Ran>; kill(): void } {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  const ran: Ran = { code: null, stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (text: string) => (ran.stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => (ran.stderr += text));
  return {
    ended: new Promise((resolve) => child.once('exit', (code) => resolve({ ...ran, code }))),
    kill: () => child.kill('SIGKILL'),
  };
}

describe.skipIf(postgresUnavailable() !== null)('plan run and plan resume through a PostgreSQL outage', () => {
  let postgres: TestPostgres;
  beforeAll(async () => {
    postgres = await startTestPostgres();
  });
  afterAll(async () => {
    await postgres?.stop();
  });

  async function project(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
    const repo = await tempRepo({ 'README.md': '# outage\n' });
    await mkdir(join(repo.dir, '.troupe'), { recursive: true });
    await writeFile(
      join(repo.dir, '.troupe', 'config.json'),
      JSON.stringify({ store: { kind: 'postgres', url: postgres.url, schema: postgres.schema() } }),
    );
    await writeFile(join(repo.dir, 'plan.yaml'), PLAN);
    return repo;
  }

  // until the plan's journal says step `index` started (read through a runtime of this test)
  async function stepStarted(dir: string, index: number): Promise<void> {
    const runtime = await createRuntime({ dir, resume: false, report: () => {} });
    try {
      for (let tries = 0; ; tries += 1) {
        const events = await runtime.events('demo/outage').catch(() => []);
        if (events.some((event) => event.type === 'step.started' && event.data.index === index)) return;
        if (tries > 600) throw new Error(`step ${index} never started`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      await runtime.close();
    }
  }

  async function outage(downMs: number): Promise<void> {
    const back = await postgres.outage();
    await new Promise((resolve) => setTimeout(resolve, downMs));
    await back();
  }

  async function expectEndedAsUninterrupted(dir: string): Promise<void> {
    const runtime = await createRuntime({ dir, resume: false, report: () => {} });
    try {
      const record = await runtime.getPlan('demo/outage');
      expect([record.phase, record.status]).toEqual(['validate', 'complete']);
      const head = record.sandbox!.headCommit;
      expect(git(dir, 'show', `${head}:log.txt`)).toBe('one\ntwo');
      expect(git(dir, 'show', `${head}:three.txt`)).toBe('three');
      const events = await runtime.events(record.id);
      expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
      expect(events.filter((event) => event.type === 'step.completed').map((event) => event.data.index)).toEqual([
        0, 1, 2,
      ]);
    } finally {
      await runtime.close();
    }
  }

  function expectSaidOnceEachWay(ran: Ran): void {
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr.match(/troupe: the store is unavailable \(/g)).toHaveLength(1);
    expect(ran.stderr).toContain('(the default of store.outageTimeoutMs)');
    expect(ran.stderr.match(/troupe: the store is back/g)).toHaveLength(1);
    expect(ran.stderr).not.toMatch(/^\s+at /m);
  }

  it('plan run waits the outage out and ends as an uninterrupted run', async () => {
    const repo = await project();
    try {
      const run = troupe(repo.dir, ['plan', 'run', 'plan.yaml', '--until', 'validate']);
      await stepStarted(repo.dir, 0);
      await outage(5_000);
      expectSaidOnceEachWay(await run.ended);
      await expectEndedAsUninterrupted(repo.dir);
    } finally {
      await repo.cleanup();
    }
  }, 90_000);

  it('plan resume of a plan whose process was killed waits an outage out too', async () => {
    const repo = await project();
    try {
      const first = troupe(repo.dir, ['plan', 'run', 'plan.yaml', '--until', 'validate']);
      await stepStarted(repo.dir, 0);
      first.kill();
      await first.ended;
      const resume = troupe(repo.dir, ['plan', 'resume', 'demo/outage']);
      // the resumed run is in its second step (the first ran again: it was not stored) when the server goes
      await stepStarted(repo.dir, 1);
      await outage(4_000);
      expectSaidOnceEachWay(await resume.ended);
      // `plan resume` stops where the plan rests; drive it on to validate as `plan run` would
      const rest = await troupe(repo.dir, ['plan', 'run', 'demo/outage', '--until', 'validate']).ended;
      expect(rest.code, rest.stderr).toBe(0);
      await expectEndedAsUninterrupted(repo.dir);
    } finally {
      await repo.cleanup();
    }
  }, 120_000);
});
