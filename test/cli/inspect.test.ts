import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { connectInspector, freePort } from '../helpers/inspector-client.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CHILD = join(ROOT, 'test/cli/inspect-child.ts');
const PLAN = planYaml({
  name: 'demo/inspected',
  automation: 'review',
  strategy: { steps: [step('Write', 'fs/write-file', { path: 'a.txt', content: 'a\n' })] },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(): Promise<string> {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  cleanups.push(repo.cleanup);
  writeFileSync(join(repo.dir, 'plan.yaml'), PLAN);
  // a troupe project: reads in a repository troupe was never set up in are NOT_FOUND
  expect((await runCli(repo.dir, ['init'])).code).toBe(0);
  return repo.dir;
}

async function listening(port: number): Promise<Server> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen({ port, host: '127.0.0.1' }, done);
  });
  return server;
}

describe('troupe --inspect [port]', () => {
  it('prints where to connect, runs the plan and frees the port when the command ends', async () => {
    const dir = await project();
    const port = await freePort();
    const result = await runCli(dir, ['plan', 'run', 'plan.yaml', '--json', '--inspect', String(port)]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ name: 'demo/inspected', phase: 'validate', status: 'complete' });
    expect(result.stderr).toContain(`inspector: open http://127.0.0.1:${port}`);
    expect(result.stderr).toContain(`ws://127.0.0.1:${port}`);
    const server = await listening(port);
    await new Promise((done) => server.close(done));
  });

  it('refuses a port in use with VALIDATION_ERROR before any plan is created', async () => {
    const dir = await project();
    const blocker = await listening(await freePort());
    cleanups.push(() => new Promise<void>((done) => blocker.close(() => done())));
    const port = (blocker.address() as { port: number }).port;
    const result = await runCli(dir, ['plan', 'run', 'plan.yaml', '--inspect', String(port)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `error[VALIDATION_ERROR]: the inspector cannot listen on 127.0.0.1:${port}: the port is in use`,
    );
    expect(result.stderr).toContain('hint: pick a free port with --inspect <port>');
    expect(JSON.parse((await runCli(dir, ['plan', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('refuses when another troupe process owns the store: its plans would not be seen', async () => {
    const dir = await project();
    const host = await openRuntime({ dir, resume: false });
    cleanups.push(() => host.close());
    const port = await freePort();
    const result = await runCli(dir, ['plan', 'run', 'plan.yaml', '--inspect', String(port)]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error[VALIDATION_ERROR]: --inspect cannot observe plans of');
    expect(await host.runtime.listPlans()).toEqual([]);
    const server = await listening(port);
    await new Promise((done) => server.close(done));
  });

  it('imports the inspector package only when asked for', async () => {
    const dir = await project();
    const imported = async (argv: string[]): Promise<string> => {
      const log = join(dir, `imports-${argv.length}.log`);
      writeFileSync(log, '');
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--import', join(ROOT, 'test/cli/import-log.mjs'), CHILD, '-C', dir, ...argv],
        {
          cwd: ROOT,
          stdio: 'ignore',
          env: { ...process.env, TROUPE_IMPORT_LOG: log },
        },
      );
      expect(await new Promise((done) => child.once('exit', done))).toBe(0);
      return readFileSync(log, 'utf8');
    };
    const plain = await imported(['plan', 'list']);
    expect(plain).toContain('commander');
    expect(plain).not.toContain('@statelyai/inspect');
    expect(await imported(['plan', 'list', '--inspect', String(await freePort())])).toContain('@statelyai/inspect');
  });

  it.each([[['--inspect=plan']], [['--inspect', '0']], [['--inspect', '70000']]])(
    'refuses %j as a port',
    async (flag) => {
      const dir = await project();
      const result = await runCli(dir, [...flag, 'plan', 'list']);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/error\[VALIDATION_ERROR\]/);
    },
  );

  it('lets the process exit when the command ends, even with a browser still connected', async () => {
    const dir = await project();
    writeFileSync(
      join(dir, 'slow.yaml'),
      planYaml({ name: 'demo/slow', strategy: { steps: [step('Sleep', 'shell/run', { command: 'sleep 1' })] } }),
    );
    const port = await freePort();
    // no process.exit in this entry: it ends only when no handle is left
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, '-C', dir, 'plan', 'run', 'slow.yaml', '--inspect', String(port)],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    let stderr = '';
    const announced = new Promise<void>((done) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('inspector: open')) done();
      }),
    );
    await Promise.race([announced, exited]);
    const browser = await connectInspector(`ws://127.0.0.1:${port}`);
    cleanups.push(async () => browser.close());
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    const code = await exited;
    clearTimeout(timer);
    expect({ code, stderr }).toMatchObject({ code: 0, stderr: expect.stringContaining(`http://127.0.0.1:${port}`) });
    expect(browser.messages.some((message) => message.type === '@xstate.snapshot')).toBe(true);
  });
});
