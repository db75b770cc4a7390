import { execFileSync, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openRuntime } from '../../src/runtime/index.js';
import { hasTmux } from '../helpers/tmux.js';
import { cleanups, project, twoSteps, until } from './ui-fixture.js';

// Issue 74: A in `troupe ui` applies a validated plan, in a real terminal (tmux; CI installs it, .ci/run):
// the preview of `plan apply --dry-run`, the same question as the CLI, and one commit on y.

describe('troupe ui in a real terminal (tmux): A', () => {
  it.skipIf(!hasTmux)(
    'asks before it applies, does nothing on n, and commits the plan on y',
    async () => {
      const { dir, runtime } = await project();
      const plan = await runtime.createPlan(twoSteps('demo/ship'));
      expect(await runtime.run(plan.id)).toMatchObject({ phase: 'validate', status: 'complete' });
      await runtime.close();
      const head = () => execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
      const before = head();

      const root = resolve(import.meta.dirname, '../..');
      const socket = `troupe-ui-apply-${process.pid}-${Date.now()}`;
      const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
      const command = `env -u CI -u CONTINUOUS_INTEGRATION node --import tsx ${join(root, 'src/cli/bin.ts')} -C ${dir} ui`;
      tmux('new-session', '-d', '-x', '120', '-y', '40', '-e', 'TERM=xterm-256color', command);
      cleanups.push(() => void spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' }));
      const screen = () => tmux('capture-pane', '-p');

      await until(screen, (text) => text.includes('A apply · r rollback'));
      tmux('send-keys', 'A');
      const asked = await until(screen, (text) => text.includes('Apply demo/ship onto your branch? y/N'));
      expect(asked).toContain('demo/ship: apply would commit 2 files onto');
      tmux('send-keys', 'n');
      await until(screen, (text) => text.includes('apply of demo/ship not confirmed: nothing changed'));
      expect(head()).toBe(before);

      tmux('send-keys', 'A');
      await until(screen, (text) => text.includes('Apply demo/ship onto your branch? y/N'));
      tmux('send-keys', 'y');
      const applied = await until(screen, (text) => text.includes('applied demo/ship as '));
      expect(head()).not.toBe(before);
      expect(applied).toContain(`applied demo/ship as ${head().slice(0, 7)}`);
      tmux('send-keys', 'q');
      const after = await openRuntime({ dir, resume: false, report: () => {} });
      try {
        expect(await after.runtime.getPlan(plan.id)).toMatchObject({ phase: 'apply', status: 'done' });
      } finally {
        await after.close();
      }
    },
    60_000,
  );
});
