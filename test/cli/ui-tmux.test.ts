import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime/index.js';
import { visibleTempDir } from '../helpers/temp.js';
import { hasTmux } from '../helpers/tmux.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { spawnHostChild } from '../runtime/host-child-process.js';
import { cleanups, project, until } from './ui-fixture.js';

// tmux gives the CLI a real terminal — raw mode, arrow keys and q as a user
// types them — and shows the screen as the user sees it (capture-pane). CI
// installs tmux (.ci/run); elsewhere the test is skipped without it.

describe('troupe ui in a real terminal (tmux)', () => {
  it('is run in CI', () => {
    if (process.env.CI && process.env.CI !== '0' && process.env.CI !== 'false')
      expect(hasTmux, 'tmux must be installed in CI (.ci/run installs it)').toBe(true);
  });

  it.skipIf(!hasTmux)(
    'follows a plan another process runs, flagged and coloured, takes over the store when that process ends, counts every key typed at once, and quits on q',
    async () => {
      const { dir, runtime } = await project();
      // older plans, below the ones the test watches
      for (let at = 0; at < 12; at++)
        await runtime.createPlan(planYaml({ name: `demo/old-${String(at).padStart(2, '0')}` }));
      await runtime.createPlan(planYaml({ name: 'demo/one' }));
      // its first step waits for the test to say go: the ui sees it running, whatever the machine's speed
      // (outside the sandbox, where the step can read it)
      const flags = await visibleTempDir('troupe-go-');
      cleanups.push(flags.cleanup);
      const go = join(flags.dir, 'go');
      const plan = await runtime.createPlan(
        planYaml({
          name: 'demo/elsewhere',
          strategy: {
            steps: [
              step('Wait', 'shell/run', { command: `while [ ! -f ${go} ]; do sleep 0.05; done` }),
              step('Write', 'fs/write-file', { path: 'out.txt', content: 'x\n' }),
            ],
          },
        }),
      );
      await runtime.close();
      // `troupe plan run` in another terminal: it owns the store while it runs the plan
      const host = spawnHostChild(dir, plan.id, cleanups);
      await host.line('host');

      const root = resolve(import.meta.dirname, '../..');
      const socket = `troupe-ui-${process.pid}-${Date.now()}`;
      const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
      const exitFile = join(dir, 'ui-exit-code');
      // a user's terminal is not CI: Ink draws only the last frame in CI, and colours are off wherever CI is set
      const command = `env -u CI -u CONTINUOUS_INTEGRATION -u NO_COLOR node --import tsx ${join(root, 'src/cli/bin.ts')} -C ${dir} ui; echo $? > ${exitFile}`;
      tmux('new-session', '-d', '-x', '100', '-y', '30', '-e', 'TERM=xterm-256color', command);
      // the server ends with its only window after q; if the test failed before, it is still there
      cleanups.push(() => void spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' }));
      const screen = () => tmux('capture-pane', '-p');

      await until(screen, (text) => text.includes('demo/elsewhere  execute · processing  steps 0/2'));
      // running: flagged with a shape that reads without colour, and cyan on a terminal with colour
      const running = tmux('capture-pane', '-p', '-e')
        .split('\n')
        .find((line) => line.includes('demo/elsewhere  execute · processing'))!;
      expect(running.replace(/\u001B\[[0-9;]*m/g, '')).toMatch(/^● {3}demo\/elsewhere/);
      expect(running).toMatch(/\u001B\[[0-9;]*36[;m]/);
      writeFileSync(go, '');
      await until(screen, (text) => text.includes('demo/elsewhere  execute · complete  steps 2/2'));
      await host.line('done');
      // the other process ended: the ui carries on as the owner of the store, so the next command is its client
      let role = '';
      for (const deadline = Date.now() + 15_000; role !== 'client' && Date.now() < deadline;) {
        const session = await openRuntime({ dir, resume: false, report: () => {} });
        role = session.role;
        if (role === 'client') await session.runtime.createPlan(planYaml({ name: 'demo/later' }));
        await session.close();
        if (role !== 'client') await new Promise((wait) => setTimeout(wait, 100));
      }
      expect(role).toBe('client');
      const later = await until(screen, (text) => text.includes('demo/later  strategize · queued'));
      expect(later).not.toContain('went away');

      // the newest plans first: demo/later, then demo/elsewhere (selected since the view opened), then demo/one
      expect(later).toMatch(/demo\/later .*\n.*demo\/elsewhere .*\n.*demo\/one /);
      expect(later).toMatch(/\ndemo\/elsewhere {2}\w{26}\n/);
      tmux('send-keys', 'Down');
      await until(screen, (text) => /\ndemo\/one {2}\w{26}\n/.test(text));
      // ten presses in one go, as a key held down sends them: each one moves a row (demo/old-11 is the row after demo/one)
      tmux('send-keys', ...Array<string>(10).fill('Down'));
      await until(screen, (text) => /\ndemo\/old-02 {2}\w{26}\n/.test(text));
      tmux('send-keys', 'End');
      await until(screen, (text) => /\ndemo\/old-00 {2}\w{26}\n/.test(text));
      tmux('send-keys', 'Home');
      await until(screen, (text) => /\ndemo\/later {2}\w{26}\n/.test(text));
      tmux('send-keys', 'q');
      await until(
        () => (existsSync(exitFile) ? readFileSync(exitFile, 'utf8') : ''),
        (text) => text.trim() !== '',
      );
      expect(readFileSync(exitFile, 'utf8').trim()).toBe('0');
    },
  );
});
