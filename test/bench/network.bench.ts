// Network by name (issue 39): what a network allow-list costs. Per command: the same `true` in a
// network namespace of its own (the default) and in a plan network whose way out is troupe's proxy
// (entered through nsenter, admitted at the proxy, pointed at it). Per request: `curl` of a server on
// 127.0.0.1 through the proxy (a plan with a list) and straight (a plan with the host's network).
// Once per plan network: starting the holder and opening its gate (the helper that makes the proxy's
// socket inside, the checks). Pairs alternate so machine load hits both sides alike.
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { BubblewrapSandbox, commandEnv, startPlanNetwork, type PlanNetwork } from '../../src/sandbox/index.js';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';

/** The figures of a network benchmark run, in milliseconds (medians, and medians of pair differences). */
export interface NetworkFigures {
  runs: number;
  /** `true` with a namespace of its own, and in a plan network with an allow-list. */
  ownMs: number;
  listedMs: number;
  commandAddedMs: number;
  /** `curl` of a local server with the host's network, and through the proxy. */
  directMs: number;
  proxiedMs: number;
  requestAddedMs: number;
  /** Starting a plan network with its gate (holder, helper, checks), and without one. */
  gateOpenMs: number;
  holderOpenMs: number;
}

/**
 * Time the three figures, `runs` pairs each (`opens` for the plan network's start).
 *
 * @example
 * const figures = await runNetworkBench({ runs: 40 });
 * console.log(`${figures.commandAddedMs} ms added per command`);
 */
export async function runNetworkBench(options: { runs?: number; opens?: number } = {}): Promise<NetworkFigures> {
  const runs = options.runs ?? 40;
  const opens = options.opens ?? 10;
  const repo = await tempRepo({ 'README.md': '# bench\n' });
  const server = createServer((_request, response) => response.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  let network: PlanNetwork | null = null;
  try {
    const worktree = join(repo.dir, '.troupe', 'worktrees', 'bench');
    execFileSync('git', ['worktree', 'add', '-q', '-b', 'troupe/bench', worktree], { cwd: repo.dir, env: GIT_ENV });
    const sandbox = new BubblewrapSandbox({ projectRoot: repo.dir });
    const env = commandEnv();
    const listed = await startPlanNetwork({
      bwrap: '/usr/bin/bwrap',
      gate: { allow: [`bench.test:${port}`], resolve: async () => ['127.0.0.1'], loopbackNames: 'allow' },
    });
    network = listed;
    const once = async (command: string, how: 'own' | 'listed' | 'host'): Promise<number> => {
      const started = performance.now();
      const result = await sandbox.run({
        command,
        worktree,
        env,
        network: how === 'host',
        ...(how === 'listed' ? { planNetwork: listed } : {}),
      });
      const ms = performance.now() - started;
      if (result.exitCode !== 0) throw new Error(`${how}: ${command} exited ${result.exitCode}: ${result.stderrTail}`);
      return ms;
    };
    const pairs = async (
      first: () => Promise<number>,
      second: () => Promise<number>,
    ): Promise<[number[], number[]]> => {
      // warm both paths (bubblewrap, curl and the page cache)
      for (let i = 0; i < 3; i++) {
        await first();
        await second();
      }
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < runs; i++) {
        if (i % 2 === 0) {
          a.push(await first());
          b.push(await second());
        } else {
          b.push(await second());
          a.push(await first());
        }
      }
      return [a, b];
    };
    const [own, inList] = await pairs(
      () => once('true', 'own'),
      () => once('true', 'listed'),
    );
    const [direct, proxied] = await pairs(
      () => once(`curl -sf http://127.0.0.1:${port}/ >/dev/null`, 'host'),
      () => once(`curl -sf http://bench.test:${port}/ >/dev/null`, 'listed'),
    );
    const opened = async (gate: boolean): Promise<number> => {
      const started = performance.now();
      const made = await startPlanNetwork({
        bwrap: '/usr/bin/bwrap',
        ...(gate ? { gate: { allow: ['registry.npmjs.org'] } } : {}),
      });
      const ms = performance.now() - started;
      await made.stop();
      return ms;
    };
    const gates: number[] = [];
    const holders: number[] = [];
    for (let i = 0; i < opens; i++) {
      gates.push(await opened(true));
      holders.push(await opened(false));
    }
    return {
      runs,
      ownMs: median(own),
      listedMs: median(inList),
      commandAddedMs: median(inList.map((ms, index) => ms - own[index]!)),
      directMs: median(direct),
      proxiedMs: median(proxied),
      requestAddedMs: median(proxied.map((ms, index) => ms - direct[index]!)),
      gateOpenMs: median(gates),
      holderOpenMs: median(holders),
    };
  } finally {
    await network?.stop();
    server.close();
    await repo.cleanup();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
