import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { runCli } from '../cli/run-cli.js';
import { postgresUnavailable } from '../helpers/postgres.js';
import { redisUnavailable } from '../helpers/redis.js';
import { eventually, scaleOutServers } from '../helpers/scale-out.js';
import { git, tempDir, tempRepo } from '../helpers/temp.js';
import { planYaml, step } from './fixtures.js';

// Issue 37 item 3 on the real servers: a child taken by `troupe worker
// --name w1` names w1 in `plan status` (text and --json); killed with
// SIGKILL mid-step, its status says the worker stopped answering — no
// running clock, no resume hint — until another worker takes it and is
// named in turn; the worker's log lines name the plan by name and id.

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const unavailable = postgresUnavailable() ?? redisUnavailable();

// one child whose second step runs long on the first worker only: its command sees the worker's TERM (allowlisted,
// SPEC §7), which the test sets to say which worker is slow — a file would not do, the step's worktree starts again
function plan(): string {
  return planYaml({
    name: 'demo/own',
    automation: 'auto',
    strategy: {
      steps: [
        {
          title: 'Fan out',
          subplans: {
            mode: 'parallel',
            entries: [
              {
                name: 'demo/own-c',
                goal: 'Write c',
                resourceScopes: ['out/c*'],
                strategy: {
                  steps: [
                    step('First file', 'fs/write-file', { path: 'out/c.txt', content: 'c\n' }),
                    step('Slow step', 'shell/run', {
                      command: 'case "$TERM" in *-slow) sleep 60;; *) sleep 1;; esac; echo done > out/c.log',
                    }),
                  ],
                },
              },
            ],
          },
        },
      ],
    },
  });
}

interface Worker {
  process: ChildProcess;
  lines: string[];
}

describe.skipIf(unavailable !== null)('who holds a child', () => {
  const servers = scaleOutServers();
  const { cleanups } = servers;

  async function project(config: object | null): Promise<string> {
    const repo = await tempRepo({ 'README.md': '# own\n', 'out/.keep': '' });
    cleanups.push(repo.cleanup);
    if (config) {
      await mkdir(join(repo.dir, '.troupe'), { recursive: true });
      await writeFile(join(repo.dir, '.troupe', 'config.json'), JSON.stringify(config));
    }
    return repo.dir;
  }

  async function startWorker(config: object, name: string, slow = false): Promise<Worker> {
    const home = await project(config);
    const env = { ...process.env, TERM: slow ? 'dumb-slow' : 'dumb' };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'src/cli/bin.ts'), '-C', home, 'worker', '--name', name],
      { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const worker: Worker = { process: child, lines: [] };
    child
      .stderr!.setEncoding('utf8')
      .on('data', (text: string) => worker.lines.push(...text.split('\n').filter(Boolean)));
    cleanups.push(async () => {
      child.kill('SIGKILL');
    });
    await eventually(
      async () => (worker.lines.some((line) => line.includes('worker on')) ? true : undefined),
      60_000,
      () => worker.lines.join('\n'),
    );
    return worker;
  }

  it('names the worker holding a child, and says when that worker stopped answering', async () => {
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
    const w1 = await startWorker(config, 'w1', true);

    const runtime = await createRuntime({ dir, resume: false });
    cleanups.push(() => runtime.close());
    await runtime.createPlan(plan());
    const running = runtime.run('demo/own', { until: 'validate' });
    running.catch(() => {});

    // the child inside its slow step on w1
    const child = await eventually(
      async () => {
        const record = await runtime.getPlan('demo/own-c').catch(() => null);
        return record?.phase === 'execute' && record.status === 'processing' && record.lastCompletedStep === 0
          ? record
          : undefined;
      },
      90_000,
      () => w1.lines.join('\n'),
    );
    const status = async () => {
      const [json, text] = [
        await runCli(dir, ['plan', 'status', 'demo/own-c', '--json']),
        await runCli(dir, ['plan', 'status', 'demo/own-c']),
      ];
      expect([json.code, json.stderr, text.code]).toEqual([0, '', 0]);
      return {
        json: JSON.parse(json.stdout) as { live: boolean; holder: Record<string, unknown> | null },
        text: text.stdout,
      };
    };

    const held = await status();
    expect(held.json.live).toBe(true);
    expect(held.json.holder).toMatchObject({ worker: 'w1', host: hostname(), pid: w1.process.pid });
    expect(Object.keys(held.json.holder!).sort()).toEqual(['heardAt', 'host', 'pid', 'since', 'worker']);
    expect(held.text).toMatch(
      new RegExp(`worker +w1 on host ${hostname()} \\(pid ${w1.process.pid}\\) since \\S+ · last heard \\d+ s ago`),
    );
    // the heartbeat: last heard moves on while the job runs
    const firstHeard = Date.parse(String(held.json.holder!.heardAt));
    await eventually(
      async () => {
        const again = await status();
        return Date.parse(String(again.json.holder?.heardAt)) > firstHeard ? true : undefined;
      },
      15_000,
      () => 'no heartbeat',
    );
    // its log names the plan by name and id
    expect(w1.lines).toContain(`troupe worker: taking demo/own-c (${child.id}, attempt 1)`);

    w1.process.kill('SIGKILL');
    const killedAt = Date.now();
    const gone = await eventually(
      async () => {
        const now = await status();
        return now.json.live ? undefined : now;
      },
      10_000,
      () => 'still live',
    );
    expect(gone.json.holder).toMatchObject({ worker: 'w1', host: hostname() });
    expect(gone.text).toMatch(
      new RegExp(`worker +its worker w1 on host ${hostname()} stopped answering \\d+ s ago; waiting for another`),
    );
    // no running clock, and nothing for the user to run: another worker takes it
    expect(gone.text).toContain('(interrupted; started');
    expect(gone.text).not.toMatch(/\(for \d/);
    expect(gone.text).not.toContain('plan resume');

    // another worker takes it once its job's lock lapses, and is named in turn
    const w2 = await startWorker(config, 'w2');
    await eventually(
      async () => ((await status()).json.holder?.worker === 'w2' ? true : undefined),
      60_000,
      () => w2.lines.join('\n'),
    );
    expect(Date.now() - killedAt).toBeLessThan(70_000);
    const record = await running;
    expect([record.phase, record.status, record.error?.message]).toEqual(['validate', 'complete', undefined]);
    expect(w2.lines).toContain(`troupe worker: taking demo/own-c (${child.id}, attempt 1)`);
    expect(w2.lines).toContain(`troupe worker: demo/own-c (${child.id}, attempt 1): validated`);
    // the job ended: no worker holds the child any more
    expect((await runtime.liveness([child.id]))[0]?.holder).toBeNull();
    const exited = new Promise((resolve) => w2.process.once('exit', resolve));
    w2.process.kill('SIGTERM');
    await exited;
  }, 240_000);
});
