import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { docsPaths } from '../../src/cli/docs-paths.js';
import { packageRoot } from '../../src/cli/package-root.js';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

describe('the pages an error names', () => {
  it('are given as paths in the installed package, not in the user’s project', () => {
    expect(docsPaths('see docs/reference/plan-file.md', '/opt/troupe')).toBe(
      'see /opt/troupe/docs/reference/plan-file.md',
    );
    expect(docsPaths('(docs/explanation/sandbox.md#resource-limits); also docs/reference/mcp.md', '/opt/troupe')).toBe(
      '(/opt/troupe/docs/explanation/sandbox.md#resource-limits); also /opt/troupe/docs/reference/mcp.md',
    );
    // a path of the user's own stays as it is
    expect(docsPaths('wrote src/docs/notes.md and ./docs/x.md', '/opt/troupe')).toBe(
      'wrote src/docs/notes.md and ./docs/x.md',
    );
  });

  it('exist where a refused plan file’s hint points', async () => {
    const repo = await tempRepo();
    try {
      const result = await runCli(repo.dir, [
        'plan',
        'new',
        '--name',
        'demo/x',
        '--goal',
        'g',
        '--scope',
        '../outside',
      ]);
      const page = /hint: .*?(\/\S+\/docs\/[\w/-]+\.md)/.exec(result.stderr)?.[1];
      expect(page, result.stderr).toBe(`${packageRoot()}/docs/reference/plan-file.md`);
      expect(existsSync(page!)).toBe(true);
    } finally {
      await repo.cleanup();
    }
  });
});
