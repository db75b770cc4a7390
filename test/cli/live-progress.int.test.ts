import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GIT_ENV, tempRepo } from '../helpers/temp.js';
import { hasTmux } from '../helpers/tmux.js';
import { planYaml, step } from '../runtime/fixtures.js';

// Live progress of a long step (issue 36 item 8): on a terminal `troupe plan
// run` draws the running step's clock and the last line its command wrote,
// in place, again and again; piped it prints nothing of it. tmux gives the
// CLI a real terminal. Runs the built CLI: `npm run build` first.

const BIN = fileURLToPath(new URL('../../bin/troupe.js', import.meta.url));

// a step that writes `tick <n>` every 0.3 s, `count` times
const COUNTING = (name: string, count: number) =>
  planYaml({
    name,
    automation: 'review',
    strategy: {
      steps: [
        step('Count slowly', 'shell/run', {
          command: `i=0; while [ $i -lt ${count} ]; do i=$((i+1)); echo "tick $i"; sleep 0.3; done`,
        }),
      ],
    },
  });

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
beforeAll(() => {
  if (!existsSync(new URL('../../dist/src/cli/bin.js', import.meta.url)))
    throw new Error('the CLI is not built: run npm run build first');
});

async function until(read: () => string, wanted: (text: string) => boolean, what: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const text = read();
    if (wanted(text)) return text;
    if (Date.now() > deadline) throw new Error(`never ${what}; last screen:\n${text}`);
    await sleep(100);
  }
}

// `… step 1: Count slowly · 2.4 s · tick 8`
const LIVE_LINE = /… step 1: Count slowly · (\d+\.\d) s · tick (\d+)/;

describe('the live line of a long step', () => {
  it.skipIf(!hasTmux)(
    'is drawn on a terminal, in place, its clock and last output line refreshed, and erased when the step ends',
    async () => {
      const repo = await tempRepo({ 'README.md': '# progress\n' });
      cleanups.push(repo.cleanup);
      writeFileSync(join(repo.dir, 'count.yaml'), COUNTING('demo/count', 30));
      const socket = `troupe-live-${process.pid}-${Date.now()}`;
      const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
      const exitFile = join(repo.dir, 'exit-code');
      const env = Object.entries(GIT_ENV).map(([key, value]) => `${key}=${value}`);
      tmux(
        'new-session',
        '-d',
        '-x',
        '120',
        '-y',
        '30',
        ...env.flatMap((pair) => ['-e', pair]),
        `cd ${repo.dir} && node ${BIN} plan run count.yaml; echo $? > ${exitFile}; sleep 60`,
      );
      cleanups.push(() => void spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' }));
      const screen = () => tmux('capture-pane', '-p');

      const first = LIVE_LINE.exec(await until(screen, (text) => LIVE_LINE.test(text), 'a live line'))!;
      const later = LIVE_LINE.exec(
        await until(
          screen,
          (text) => Number(LIVE_LINE.exec(text)?.[2] ?? 0) >= Number(first[2]) + 3,
          'the live line refreshed',
        ),
      )!;
      // drawn again in place: the clock and the output moved on, and the screen holds one such line
      expect(Number(later[1])).toBeGreaterThan(Number(first[1]));
      expect(
        screen()
          .split('\n')
          .filter((line) => LIVE_LINE.test(line)),
      ).toHaveLength(1);
      // the step ends: its progress line stays, the live line is gone
      const done = await until(
        () => (existsSync(exitFile) ? screen() : ''),
        (text) => text !== '',
        'the run ended',
      );
      expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
      expect(done).toMatch(/✓ step 1: Count slowly \(\d+\.\d s\)/);
      expect(done).not.toMatch(LIVE_LINE);
    },
    120_000,
  );

  it('is not printed without a terminal: a piped run prints its progress lines only', async () => {
    const repo = await tempRepo({ 'README.md': '# progress\n' });
    cleanups.push(repo.cleanup);
    writeFileSync(join(repo.dir, 'count.yaml'), COUNTING('demo/piped', 8));
    const ran = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'plan', 'run', 'count.yaml'], {
        cwd: repo.dir,
        env: { ...GIT_ENV, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(ran.code).toBe(0);
    // the step ran over two seconds: on a terminal it would have had a live line
    expect(ran.stderr).toMatch(/✓ step 1: Count slowly \(\d+\.\d s\)/);
    expect(ran.stderr).not.toContain('… step');
    expect(ran.stderr).not.toContain('tick');
    expect(ran.stderr + ran.stdout).not.toMatch(/\r|\u001b/);
  }, 120_000);
});
