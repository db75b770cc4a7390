import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRuntime, type LocalRuntime } from '../../src/runtime/index.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { redisUnavailable } from '../helpers/redis.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';
import { scaleOutServers, stopProcess, until } from '../helpers/scale-out.js';

// Issue 21's test on the real thing: three `troupe worker` processes, a
// shared bare remote, PostgreSQL and Redis; a plan of 12 children with
// maxParallel 4; one worker killed with SIGKILL mid-step. The plan ends
// with the same files and decision tree as a single-process run, every
// step's effect once, and the killed worker's job back on another worker
// within 30 s.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const unavailable = postgresUnavailable() ?? redisUnavailable();
const CHILDREN = 12;

// each child: a file, a command that takes a while and appends one line (twice would show), another file
const PLAN = planYaml({
  name: 'demo/spread',
  automation: 'auto',
  strategy: {
    steps: [
      {
        title: 'Fan out',
        subplans: {
          mode: 'parallel',
          maxParallel: 4,
          entries: Array.from({ length: CHILDREN }, (_, index) => {
            const name = `c${String(index + 1).padStart(2, '0')}`;
            return {
              name: `demo/${name}`,
              goal: `Write ${name}`,
              resourceScopes: [`out/${name}*`],
              strategy: {
                steps: [
                  step('First file', 'fs/write-file', { path: `out/${name}.txt`, content: `${name}\n` }),
                  step('Slow step', 'shell/run', { command: `sleep 1.5 && echo ${name} >> out/${name}.log` }),
                  step('Second file', 'fs/write-file', { path: `out/${name}-2.txt`, content: `${name} again\n` }),
                ],
              },
            };
          }),
        },
      },
      step('After', 'fs/write-file', { path: 'after.txt', content: 'after\n' }),
    ],
  },
});

interface Worker {
  process: ChildProcess;
  lines: { at: number; text: string }[];
}

describe.skipIf(unavailable !== null)('child plans on three worker processes', () => {
  const servers = scaleOutServers();
  const { cleanups } = servers;

  async function project(config: object | null): Promise<string> {
    const repo = await tempRepo({ 'README.md': '# spread\n', 'out/.keep': '' });
    cleanups.push(repo.cleanup);
    if (config) {
      await mkdir(join(repo.dir, '.troupe'), { recursive: true });
      await writeFile(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
    }
    return repo.dir;
  }

  // the files of the plan's sandbox head, and its decision tree without ids and times
  async function outcome(
    runtime: LocalRuntime,
    dir: string,
  ): Promise<{ files: Record<string, string>; decisions: unknown }> {
    const record = await runtime.getPlan('demo/spread');
    expect([record.phase, record.status, record.error?.message]).toEqual(['validate', 'complete', undefined]);
    const head = record.sandbox!.headCommit;
    const files: Record<string, string> = {};
    for (const path of git(dir, 'ls-tree', '-r', '--name-only', head).split('\n').filter(Boolean))
      files[path] = git(dir, 'show', `${head}:${path}`);
    const tree = await runtime.explain('demo/spread');
    return { files, decisions: normalized(tree) };
  }

  it('ends as a single-process run does, with a worker killed mid-step', async () => {
    // the single-process run
    const alone = await project(null);
    const local = await createRuntime({ dir: alone, resume: false });
    await local.createPlan(PLAN);
    await local.run('demo/spread', { until: 'validate' });
    const expected = await outcome(local, alone);
    await local.close();

    // the shared remote, and a project (the parent's machine) whose config names everything
    const dir = await project(null);
    const bare = await tempDir('troupe-remote-');
    cleanups.push(bare.cleanup);
    const remote = join(bare.dir, 'shared.git');
    git(bare.dir, 'clone', '--quiet', '--bare', dir, remote);
    const config = {
      store: { kind: 'postgres', url: servers.postgres.url, schema: servers.postgres.schema() },
      queue: { url: servers.redis.url },
      remote: { url: remote },
    };
    await mkdir(join(dir, '.troupe'), { recursive: true });
    await writeFile(join(dir, '.troupe', 'config.json'), JSON.stringify(config));

    // three workers, each on a "machine" of its own (a directory with the project's config), two jobs at once
    const workers: Worker[] = [];
    for (let n = 0; n < 3; n += 1) {
      const home = await project(config);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), '-C', home, 'worker', '--concurrency', '2'],
        { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      const worker: Worker = { process: child, lines: [] };
      child.stderr!.setEncoding('utf8').on('data', (text: string) => {
        for (const line of text.split('\n').filter(Boolean)) worker.lines.push({ at: Date.now(), text: line });
      });
      cleanups.push(async () => {
        child.kill('SIGKILL');
      });
      workers.push(worker);
    }
    await until(
      () => workers.every((worker) => worker.lines.some((line) => line.text.includes('worker on'))),
      60_000,
      () => workers.map((worker) => worker.lines.map((line) => line.text).join('\n')).join('\n---\n'),
    );

    const runtime = await createRuntime({ dir, resume: false });
    cleanups.push(() => runtime.close());
    await runtime.createPlan(PLAN);
    const running = runtime.run('demo/spread', { until: 'validate' });
    // maxParallel holds across the workers together: never more than 4 children running at once
    let most = 0;
    let done = false;
    const sampling = (async () => {
      while (!done) {
        const tree = await runtime.tree('demo/spread').catch(() => null);
        if (tree) most = Math.max(most, tree.children.filter((node) => node.status === 'processing').length);
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();

    // worker 0 mid-step: a child it took is inside its slow step (its first step stored, the second running)
    const victim = workers[0]!;
    const midStep = async (): Promise<string | undefined> => {
      for (const id of taken(victim)) {
        // its job ended: `troupe worker: demo/c01 (<id>, attempt 1): validated`
        if (victim.lines.some((line) => !line.text.includes('taking ') && line.text.includes(`(${id}, attempt`)))
          continue;
        const child = await runtime.getPlan(id);
        if (child.phase === 'execute' && child.status === 'processing' && child.lastCompletedStep === 0) return id;
      }
      return undefined;
    };
    let inStep: string | undefined;
    const deadline = Date.now() + 90_000;
    while ((inStep = await midStep()) === undefined) {
      if (Date.now() > deadline)
        throw new Error(`worker 0 never got mid-step:\n${victim.lines.map((line) => line.text).join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // well inside the 1.5 s command
    await new Promise((resolve) => setTimeout(resolve, 300));
    victim.process.kill('SIGKILL');
    const killedAt = Date.now();

    const record = await running;
    done = true;
    await sampling;
    expect([record.phase, record.status, record.error?.message]).toEqual(['validate', 'complete', undefined]);
    expect(most).toBeLessThanOrEqual(4);
    expect(most).toBeGreaterThanOrEqual(2);
    // the job of the child killed mid-step came back to another worker, within 30 s
    const again = workers
      .slice(1)
      .flatMap((worker) => worker.lines)
      .find(
        (line) => line.text.includes('taking ') && line.text.includes(`(${inStep}, attempt`) && line.at >= killedAt,
      );
    expect(again, `job of ${inStep} taken again`).toBeDefined();
    expect(again!.at - killedAt).toBeLessThanOrEqual(30_000);
    const got = await outcome(runtime, dir);
    expect(got.files).toEqual(expected.files);
    expect(got.decisions).toEqual(expected.decisions);
    // the slow step's effect landed once per child, whoever ran it
    for (let n = 1; n <= CHILDREN; n += 1) {
      const name = `c${String(n).padStart(2, '0')}`;
      expect(got.files[`out/${name}.log`]).toBe(name);
    }
    await Promise.all(workers.slice(1).map((worker) => stopProcess(worker.process)));
  }, 240_000);
});

// plan ids a worker logged as taken: `taking demo/c01 (<id>, attempt 1)`
function taken(worker: Worker): string[] {
  return worker.lines
    .map((line) => /taking \S+ \(([0-9A-Z]{26}), attempt/.exec(line.text)?.[1])
    .filter((id): id is string => id !== undefined);
}

// a decision tree as compared across runs: what was decided, not when or under which id
function normalized(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalized);
  if (value === null || typeof value !== 'object')
    return typeof value === 'string' && /^[0-9A-HJKMNP-TV-Z]{26}$/.test(value) ? '<id>' : value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (
      /^(id|at|ts|createdAt|updatedAt|decidedAt|startedAt|endedAt|durationMs|commit|headCommit|baseCommit|head|base|parentId|planId|rootId|decisionId)$/.test(
        key,
      )
    )
      continue;
    out[key] = normalized(inner);
  }
  return out;
}
