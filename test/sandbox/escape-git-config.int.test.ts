import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRuntime } from '../../src/runtime/index.js';
import { git, visibleTempDir, writeFiles } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { outside, tag, useEscapeSuite } from './escape-fixture.js';

// The escape suite's git config: what a repository's .git/config names never
// runs through troupe's own git.

useEscapeSuite();

describe('troupe’s own git is not steered by the repository’s config', () => {
  it('a core.fsmonitor and a filter put in .git/config never run through a plan, its commits and its apply', async () => {
    const other = await visibleTempDir('troupe-escape-hostile-');
    const marker = join(outside, `hostile-${tag}`);
    try {
      git(other.dir, 'init', '-q', '-b', 'main');
      await writeFiles(other.dir, { 'a.txt': 'a\n', '.gitattributes': '*.txt filter=evil\n' });
      git(other.dir, 'add', '-A');
      git(other.dir, 'commit', '-q', '-m', 'init');
      // the program the config names lives outside the project, whose tree must stay clean for apply
      const script = join(outside, `evil-${tag}.sh`);
      writeFileSync(script, `#!/bin/sh\ntouch ${marker}\ncat\n`);
      chmodSync(script, 0o755);
      for (const [key, value] of [
        ['core.fsmonitor', script],
        ['filter.evil.clean', script],
        ['filter.evil.smudge', script],
        ['diff.external', script],
      ])
        git(other.dir, 'config', key!, value!);
      const hostile = await createRuntime({ dir: other.dir, store: 'memory', report: () => {}, warn: () => {} });
      try {
        const plan = await hostile.createPlan(
          planYaml({
            name: 'escape/hostile',
            automation: 'auto',
            strategy: {
              steps: [
                step('Write', 'fs/write-file', { path: 'b.txt', content: 'b\n' }),
                step('Shell', 'shell/run', { command: 'echo c > c.txt' }),
              ],
            },
          }),
        );
        expect(await hostile.run(plan.id)).toMatchObject({ phase: 'apply', status: 'done' });
      } finally {
        await hostile.close();
      }
      expect(existsSync(marker)).toBe(false);
      expect(readFileSync(join(other.dir, 'b.txt'), 'utf8')).toBe('b\n');
    } finally {
      await other.cleanup();
      const { rmSync } = await import('node:fs');
      rmSync(join(outside, `evil-${tag}.sh`), { force: true });
    }
  });
});
