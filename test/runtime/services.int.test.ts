import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { git } from '../helpers/temp.js';
import { processesWith } from '../helpers/processes.js';
import { planYaml, projectWithConfig, projectWithRuntime } from './fixtures.js';

// Background services of agent-driven plans (issue 35 item 4): real bubblewrap, git and LevelDB.

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function openProject(name = 'demo/svc', extra: Record<string, unknown> = {}) {
  const made = await projectWithRuntime();
  cleanups.push(made.close);
  const created = await made.runtime.createPlan(planYaml({ name, resourceScopes: ['src/**', 'served/**'], ...extra }));
  const plan = await made.runtime.run(created.id);
  return { ...made, plan };
}

// a server that answers every connection with `answer`; it writes served/boot.txt in the worktree before it listens
const server = (port: number, answer: string, marker = 'svc') =>
  `exec node -e 'const fs=require("fs");fs.mkdirSync("served",{recursive:true});fs.writeFileSync("served/boot.txt","${marker}\\n");require("net").createServer(c=>c.end("${answer}")).listen(${port},"127.0.0.1",()=>console.log("listening ${marker}"))'`;
const connect = (port: number) =>
  `node -e 'const s=require("net").connect(${port},"127.0.0.1");s.on("data",d=>{process.stdout.write(d);process.exit(0)});s.on("error",e=>{console.error(e.message);process.exit(7)})'`;

async function exec(runtime: LocalRuntime, plan: string, command: string) {
  const result = await runtime.callTool(plan, { tool: 'shell/exec', input: { command } });
  if (!result.ok) throw new Error(result.error.message);
  return result;
}

describe('services', () => {
  it('runs until stopped; a command of the plan reaches it on 127.0.0.1; what it wrote becomes a step', async () => {
    const { runtime, plan, dir } = await openProject();
    const started = await runtime.startService(plan.id, {
      name: 'web',
      command: server(18801, 'hello-from-web'),
      readyPort: 18801,
    });
    expect(started.service).toMatchObject({ name: 'web', status: 'running', readyPort: 18801 });
    expect((await runtime.listServices(plan.id)).services).toMatchObject([{ name: 'web', status: 'running' }]);
    expect(await processesWith(`troupe-plan-network:${plan.id}`)).not.toEqual([]);
    const stopped = await runtime.stopService(plan.id, 'web');
    expect(stopped.service.status).toBe('stopped');
    expect(stopped.captured).toMatchObject({ step: 0 });
    const worktree = join(dir, plan.sandbox!.worktree);
    expect(git(worktree, 'show', '--stat', '--format=%s', 'HEAD')).toContain('served/boot.txt');
    expect(git(worktree, 'status', '--porcelain')).toBe('');
    expect(await processesWith('hello-from-web')).toEqual([]);
    // its plan network went with its last service
    expect(await processesWith(`troupe-plan-network:${plan.id}`)).toEqual([]);

    const events = (await runtime.events(plan.id)).filter((event) => event.type.startsWith('service.'));
    expect(events.map((event) => [event.type, event.data.name])).toEqual([
      ['service.started', 'web'],
      ['service.stopped', 'web'],
    ]);
    expect(events[1]!.data).toMatchObject({ reason: 'stopped' });
    const { root } = await runtime.explain(plan.id);
    const titles = root!.children.map((child) => `${child.type}: ${child.title}`);
    expect(titles).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^service: service web started/),
        expect.stringMatching(/^service: service web stopped/),
        expect.stringMatching(/^step: service\/capture web/),
      ]),
    );
    // its output stays readable after it stopped, and is the plan's command log
    expect((await runtime.serviceLogs(plan.id, 'web')).text).toContain('listening svc');
    const logs = await runtime.logs(plan.id);
    expect(logs.find((log) => log.kind === 'service')).toMatchObject({
      tool: 'web',
      stdout: { text: expect.stringContaining('listening svc') },
    });
  });

  it('is reached by the plan’s commands on 127.0.0.1, and by nothing outside the plan', async () => {
    const { runtime, plan } = await openProject();
    const other = await runtime.run(
      (await runtime.createPlan(planYaml({ name: 'demo/other', resourceScopes: ['src/**'] }))).id,
    );
    await runtime.startService(plan.id, { name: 'web', command: server(18802, 'private'), readyLine: 'listening' });
    const reached = await exec(runtime, plan.id, connect(18802));
    expect(reached.output).toMatchObject({ exitCode: 0, stdout: 'private' });
    const outsider = await exec(runtime, other.id, connect(18802));
    expect(outsider.output).toMatchObject({ exitCode: 7, stderr: expect.stringContaining('ECONNREFUSED') });
    await runtime.stopService(plan.id, 'web');
    // without a service the plan's commands are back in a network of their own each
    expect((await exec(runtime, plan.id, connect(18802))).output).toMatchObject({ exitCode: 7 });
  });

  it('stops when the plan leaves execute, after a step kept what it wrote (finish), and on cancel', async () => {
    const { runtime, plan, dir } = await openProject();
    await runtime.startService(plan.id, {
      name: 'web',
      command: server(18803, 'finishing', 'fin'),
      readyLine: '/listening \\w+/',
    });
    const done = await runtime.finish(plan.id, { until: 'execute' });
    expect(done).toMatchObject({ phase: 'execute', status: 'complete' });
    expect((await runtime.listServices(plan.id)).services).toMatchObject([{ name: 'web', status: 'stopped' }]);
    expect(readFileSync(join(dir, plan.sandbox!.worktree, 'served/boot.txt'), 'utf8')).toBe('fin\n');
    expect(git(join(dir, plan.sandbox!.worktree), 'log', '-1', '--format=%s')).toContain('service/capture');
    expect((await runtime.events(plan.id)).find((event) => event.type === 'service.stopped')?.data).toMatchObject({
      reason: 'plan',
    });

    const second = await runtime.run(
      (await runtime.createPlan(planYaml({ name: 'demo/cancelled', resourceScopes: ['served/**'] }))).id,
    );
    await runtime.startService(second.id, { name: 'db', command: server(18804, 'cancel-me-svc'), readyPort: 18804 });
    await runtime.cancel(second.id);
    expect(await processesWith('cancel-me-svc')).toEqual([]);
    expect((await runtime.events(second.id)).map((event) => event.type)).toContain('service.stopped');
  });

  it('keeps what a service wrote as a step of its own before an agent’s next writing call, so a refused write cannot undo it', async () => {
    const { runtime, plan, dir } = await openProject();
    await runtime.startService(plan.id, {
      name: 'web',
      command: server(18806, 'kept', 'kept'),
      readyLine: 'listening kept',
    });
    // a step that fails (outside the scopes) goes back to the last step commit: the service's file must already be in one
    const refused = await runtime.callTool(plan.id, {
      tool: 'shell/run',
      input: { command: 'echo out > outside.txt' },
    });
    expect(refused.ok).toBe(false);
    const worktree = join(dir, plan.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'served/boot.txt'), 'utf8')).toBe('kept\n');
    expect(git(worktree, 'log', '--format=%s', '-1')).toBe('troupe: step 1: service/capture web');
    const wrote = await runtime.callTool(plan.id, {
      tool: 'fs/write-file',
      input: { path: 'src/b.ts', content: 'b\n' },
    });
    expect(wrote).toMatchObject({ ok: true, wrote: true });
    await runtime.stopService(plan.id, 'web');
  });

  it('keeps running across the steps after it, contained or with the sandbox off: a step’s reap of what a killed process left is not for it', async () => {
    const contained = await projectWithRuntime();
    cleanups.push(contained.close);
    for (const made of [contained, await projectWithConfig({ sandbox: { mode: 'off' } }, cleanups)]) {
      const plan = await made.runtime.run(
        (await made.runtime.createPlan(planYaml({ name: 'demo/svc', resourceScopes: ['src/**', 'served/**'] }))).id,
      );
      await made.runtime.startService(plan.id, {
        name: 'web',
        command: server(18807, 'still', 'still'),
        readyLine: 'listening still',
      });
      // a plan command from the user: the user may have edited any sandbox, so the next step resets its own first
      await made.runtime.run(
        (await made.runtime.createPlan(planYaml({ name: 'demo/other', resourceScopes: ['src/**'] }))).id,
      );
      expect((await exec(made.runtime, plan.id, connect(18807))).output).toMatchObject({
        exitCode: 0,
        stdout: 'still',
      });
      expect(
        (await made.runtime.callTool(plan.id, { tool: 'shell/run', input: { command: 'echo out > outside.txt' } })).ok,
      ).toBe(false);
      expect(
        (await made.runtime.callTool(plan.id, { tool: 'shell/run', input: { command: 'echo b > src/b.ts' } })).ok,
      ).toBe(true);
      expect((await made.runtime.listServices(plan.id)).services).toMatchObject([{ name: 'web', status: 'running' }]);
      expect((await exec(made.runtime, plan.id, connect(18807))).output).toMatchObject({
        exitCode: 0,
        stdout: 'still',
      });
      await made.runtime.stopService(plan.id, 'web');
    }
  });

  it('refuses bad input, a running name, an unknown service and a plan not in execute — changing nothing', async () => {
    const { runtime, plan } = await openProject();
    const decisionsBefore = (await runtime.explain(plan.id)).root!.children.length;
    await expect(runtime.startService(plan.id, { name: '1bad', command: '' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringMatching(/name:.*\n.*command:/s),
    });
    await expect(
      runtime.startService(plan.id, { name: 'web', command: 'true', readyPort: 70000 }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('readyPort') });
    await expect(
      runtime.startService(plan.id, { name: 'web', command: 'true', readyLine: '/(/' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('readyLine') });
    await expect(
      runtime.startService(plan.id, { name: 'web', command: 'true', env: { LD_PRELOAD: 'x.so' } }),
    ).rejects.toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining('env.LD_PRELOAD') });
    expect((await runtime.explain(plan.id)).root!.children.length).toBe(decisionsBefore);
    expect((await runtime.listServices(plan.id)).services).toEqual([]);

    await runtime.startService(plan.id, { name: 'web', command: 'sleep 600' });
    await expect(runtime.startService(plan.id, { name: 'web', command: 'sleep 600' })).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      hint: expect.stringContaining('service_stop'),
    });
    await expect(runtime.stopService(plan.id, 'nope')).rejects.toMatchObject({
      code: 'NOT_FOUND',
      hint: expect.stringContaining('web'),
    });
    await runtime.stopService(plan.id, 'web');

    const finished = await runtime.finish(plan.id, { until: 'execute' });
    expect(finished.status).toBe('complete');
    await expect(runtime.startService(plan.id, { name: 'late', command: 'sleep 600' })).rejects.toMatchObject({
      code: 'PHASE_GUARD',
    });
    expect((await runtime.listServices(plan.id)).services.map((service) => service.name)).not.toContain('late');
  });

  it('a service that is not ready in time, or ends first, is stopped and the call fails with its last lines', async () => {
    const { runtime, plan } = await openProject();
    await expect(
      runtime.startService(plan.id, {
        name: 'slow',
        command: 'echo warming up; exec sleep 600.4242',
        readyPort: 18805,
        readyTimeoutMs: 500,
      }),
    ).rejects.toMatchObject({
      code: 'TIMEOUT',
      details: { service: 'slow', lines: ['warming up'] },
    });
    expect(await processesWith('600.4242')).toEqual([]);
    await expect(
      runtime.startService(plan.id, {
        name: 'broken',
        command: 'echo cannot bind >&2; exit 3',
        readyLine: 'listening',
      }),
    ).rejects.toMatchObject({
      code: 'TOOL_FAILED',
      message: expect.stringContaining('exit 3'),
      details: { lines: ['cannot bind'] },
    });
    expect((await runtime.listServices(plan.id)).services).toMatchObject([
      { name: 'slow', status: 'stopped' },
      { name: 'broken', status: 'exited', exitCode: 3 },
    ]);
    expect(existsSync('/proc')).toBe(true);
  });
});
