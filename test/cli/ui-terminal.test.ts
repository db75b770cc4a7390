import { Console } from 'node:console';
import { EventEmitter } from 'node:events';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Terminal } from '../../src/cli/context.js';
import { openRuntime } from '../../src/runtime/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml } from '../runtime/fixtures.js';
import { runCli } from './run-cli.js';

// `troupe ui` as the CLI runs it on a terminal, in this process: a fake
// terminal (keys in, frames out) instead of tmux. Ink draws only the last
// frame when it thinks it runs in CI; a user's terminal is not CI.
vi.hoisted(() => {
  vi.stubEnv('CI', '0');
  vi.stubEnv('CONTINUOUS_INTEGRATION', '0');
});
afterAll(() => vi.unstubAllEnvs());
// Ink routes console output around its frames with node's console.Console, which vitest's console lacks
beforeAll(() => {
  const global = console as { Console?: typeof Console };
  global.Console ??= Console;
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// what a terminal emulator does with Ink's output, enough to read the screen
class FakeScreen extends EventEmitter {
  readonly isTTY = true;
  columns = 100;
  rows = 30;
  frames: string[] = [];
  write(text: string): boolean {
    const plain = text.replace(/\u001B\[[0-9;?]*[A-Za-z]/g, '');
    if (plain.trim() !== '') this.frames.push(plain);
    return true;
  }
  get lastFrame(): string {
    return this.frames.at(-1) ?? '';
  }
}

class FakeKeyboard extends EventEmitter {
  readonly isTTY = true;
  rawMode = false;
  #pending: string[] = [];
  type(keys: string): void {
    this.#pending.push(keys);
    this.emit('readable');
  }
  read(): string | null {
    return this.#pending.shift() ?? null;
  }
  setRawMode(on: boolean): this {
    this.rawMode = on;
    return this;
  }
  setEncoding(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  resume(): this {
    return this;
  }
  pause(): this {
    return this;
  }
}

function fakeTerminal() {
  const stdout = new FakeScreen();
  const stdin = new FakeKeyboard();
  const stderr = new FakeScreen();
  const terminal = { stdin, stdout, stderr } as unknown as Terminal;
  return { terminal, stdin, stdout };
}

async function project(...names: string[]) {
  const repo = await tempRepo();
  cleanups.push(repo.cleanup);
  for (const name of names)
    expect((await runCli(repo.dir, ['plan', 'new', '--name', name, '--goal', 'Change the project'])).code).toBe(0);
  return repo.dir;
}

const screen = (stdout: FakeScreen) => expect.poll(() => stdout.lastFrame, { timeout: 15_000 });

describe('troupe ui on a terminal', () => {
  it('draws the plan tree with the keys it takes, and q ends it with exit 0 and the terminal out of raw mode', async () => {
    const dir = await project('demo/one', 'demo/two');
    const { terminal, stdin, stdout } = fakeTerminal();
    const running = runCli(dir, ['ui'], { answers: [], terminal });
    await screen(stdout).toContain('demo/one  ');
    expect(stdout.lastFrame).toContain('demo/two  strategize · queued');
    expect(stdout.lastFrame).toContain(
      '↑↓ move · enter expand · c conflicts · r rollback · x cancel · a ended · q quit',
    );
    expect(stdin.rawMode).toBe(true);
    stdin.type('q');
    const result = await running;
    expect(result).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(stdin.rawMode).toBe(false);
  });

  it('shows only the plan named, and follows the terminal when it is resized below 60×15', async () => {
    const dir = await project('demo/shown', 'demo/hidden');
    const { terminal, stdin, stdout } = fakeTerminal();
    const running = runCli(dir, ['ui', 'demo/shown'], { answers: [], terminal });
    await screen(stdout).toContain('phases  none yet');
    expect(stdout.lastFrame).toContain('demo/shown  strategize · queued');
    expect(stdout.lastFrame).not.toContain('demo/hidden');
    stdout.columns = 50;
    stdout.emit('resize');
    await screen(stdout).not.toMatch(/phases/);
    expect(stdout.lastFrame).toContain('demo/shown');
    stdin.type('q');
    expect((await running).code).toBe(0);
  });

  it('ends when the command is stopped (SIGTERM), leaving the terminal out of raw mode', async () => {
    const dir = await project('demo/one');
    const { terminal, stdin, stdout } = fakeTerminal();
    const controller = new AbortController();
    const running = runCli(dir, ['ui'], { answers: [], terminal, signal: controller.signal });
    await screen(stdout).toContain('demo/one  ');
    controller.abort();
    expect((await running).code).toBe(0);
    expect(stdin.rawMode).toBe(false);
  });

  it('carries on as the owner of the store when the process that owned it ends', async () => {
    const dir = await project('demo/one');
    const host = await openRuntime({ dir, resume: false, report: () => {} });
    let hostOpen = true;
    cleanups.push(() => (hostOpen ? host.close() : undefined));
    expect(host.role).toBe('host');
    const { terminal, stdin, stdout } = fakeTerminal();
    const running = runCli(dir, ['ui'], { answers: [], terminal });
    await screen(stdout).toContain('demo/one  ');
    // the ui is the host's client: it sees what the host does
    await host.runtime.createPlan(planYaml({ name: 'demo/from-host' }));
    await screen(stdout).toContain('demo/from-host  strategize · queued');

    hostOpen = false;
    await host.close();
    // the ui reopens the store as its owner: the next command is its client
    await expect
      .poll(
        async () => {
          const next = await openRuntime({ dir, resume: false, report: () => {} });
          try {
            if (next.role === 'client') await next.runtime.createPlan(planYaml({ name: 'demo/later' }));
            return next.role;
          } finally {
            await next.close();
          }
        },
        { timeout: 15_000, interval: 100 },
      )
      .toBe('client');
    await screen(stdout).toContain('demo/later  strategize · queued');
    stdin.type('q');
    expect((await running).code).toBe(0);
  });
});
