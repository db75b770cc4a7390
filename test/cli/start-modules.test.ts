import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

// what a command loads as it starts, by module: what `plan status --json` does not use must not slow it down (docs/explanation/performance.md)

const ROOT = resolve(import.meta.dirname, '../..');
const CHILD = join(ROOT, 'test/cli/inspect-child.ts');

// the runtime, the engine and the libraries behind them: none is needed to read a plan record
const HEAVY = [
  /\/node_modules\/zod\//,
  /\/node_modules\/xstate\//,
  /\/node_modules\/simple-git\//,
  /\/node_modules\/yaml\//,
  /\/node_modules\/ink\//,
  /\/node_modules\/react\//,
  /\/node_modules\/@modelcontextprotocol\//,
  /\/node_modules\/@statelyai\//,
  // the AI SDK and its providers: loaded on a plan's first model call only (docs/how-to/agents.md)
  /\/node_modules\/ai\//,
  /\/node_modules\/@ai-sdk\//,
  /\/node_modules\/memory-level\//,
  /\/src\/merge\//,
  /\/src\/mcp\//,
  /\/src\/tools\//,
  /\/src\/cli\/ui\//,
  /\/src\/cli\/format\//,
  /\/machines\//,
  /\/actors\//,
  /\/src\/domain\/index\.ts$/,
  /\/src\/runtime\/(index|create-runtime|local-runtime)\.ts$/,
  /\/src\/sandbox\/(index|project|git-command)\.ts$/,
];

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(): Promise<string> {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  cleanups.push(repo.cleanup);
  expect((await runCli(repo.dir, ['plan', 'new', '--name', 'demo/start', '--goal', 'Start fast'])).code).toBe(0);
  return repo.dir;
}

// `troupe <argv>` in a process of its own: what it printed and every module it loaded
async function loaded(
  dir: string,
  argv: string[],
): Promise<{ code: number | null; stdout: string; modules: string[] }> {
  const log = join(dir, '.troupe', 'modules.log');
  writeFileSync(log, '');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--import', join(ROOT, 'test/cli/module-log.mjs'), CHILD, '-C', dir, ...argv],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, TROUPE_MODULE_LOG: log },
    },
  );
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  const code = await new Promise<number | null>((done) => child.once('exit', done));
  return { code, stdout, modules: readFileSync(log, 'utf8').split('\n').filter(Boolean) };
}

const heavyIn = (modules: string[]) => modules.filter((url) => HEAVY.some((pattern) => pattern.test(url)));

describe('what a command loads as it starts', () => {
  it('reads a plan record for plan status --json without the runtime, the engine, zod, yaml or the UI', async () => {
    const dir = await project();
    const { code, stdout, modules } = await loaded(dir, ['plan', 'status', 'demo/start', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ name: 'demo/start', phase: 'strategize', status: 'queued' });
    // it did read the store, and the log saw it
    expect(modules.some((url) => url.endsWith('/src/store/level-backed-store.ts'))).toBe(true);
    expect(heavyIn(modules)).toEqual([]);
  });

  it('lists plans with as little, also in a project that shares its node_modules (troupe init)', async () => {
    const dir = await project();
    const { code, stdout, modules } = await loaded(dir, ['plan', 'list', '--json']);
    expect(code).toBe(0);
    expect((JSON.parse(stdout) as { name: string }[]).map((plan) => plan.name)).toEqual(['demo/start']);
    expect(heavyIn(modules)).toEqual([]);
    writeFileSync(
      join(dir, '.troupe', 'config.json'),
      JSON.stringify({ invariants: [], sandbox: { share: ['node_modules'] } }),
    );
    const shared = await loaded(dir, ['plan', 'list', '--json']);
    expect(shared.code).toBe(0);
    expect(heavyIn(shared.modules)).toEqual([]);
  });

  it('loads the runtime once a command needs it, and for a project whose config asks for more than the defaults', async () => {
    const dir = await project();
    const run = await loaded(dir, ['plan', 'strategize', 'demo/start', '--json']);
    expect(run.code).toBe(0);
    expect(run.modules.some((url) => url.endsWith('/src/runtime/local-runtime.ts'))).toBe(true);
    // a plan without a model never loads the AI SDK, even when its runtime runs
    expect(run.modules.filter((url) => /\/node_modules\/(ai|@ai-sdk)\//.test(url))).toEqual([]);
    writeFileSync(
      join(dir, '.troupe', 'config.json'),
      JSON.stringify({ invariants: [{ id: 'readme', check: 'command', run: 'test -f README.md' }] }),
    );
    const status = await loaded(dir, ['plan', 'status', 'demo/start', '--json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ name: 'demo/start', phase: 'strategize' });
    expect(status.modules.some((url) => url.endsWith('/src/runtime/local-runtime.ts'))).toBe(true);
  });
});
