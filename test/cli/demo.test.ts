import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('troupe demo', () => {
  it('runs the quickstart plan through all four phases in a scratch repository', async () => {
    const result = await runCli(tmpdir(), ['demo', '--json']);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout) as {
      project: string;
      plan: { status: string; appliedCommit: string };
      changes: { files: { path: string }[] };
      events: number;
    };
    try {
      expect(summary.plan.status).toBe('done');
      expect(summary.changes.files.map((file) => file.path)).toEqual([
        'LICENSE_HEADER',
        'src/greet.ts',
        'src/math.ts',
        'src/util/slug.ts',
      ]);
      expect(readFileSync(join(summary.project, 'src/math.ts'), 'utf8')).toMatch(
        /^\/\/ SPDX-License-Identifier: MIT\n/,
      );
      expect(execFileSync('git', ['rev-parse', 'HEAD'], { cwd: summary.project, encoding: 'utf8' }).trim()).toBe(
        summary.plan.appliedCommit,
      );
      expect(summary.events).toBeGreaterThan(10);
    } finally {
      rmSync(summary.project, { recursive: true, force: true });
    }
  });

  it('narrates each phase for people', async () => {
    const result = await runCli(tmpdir(), ['demo']);
    expect(result.code).toBe(0);
    for (const phase of ['strategize', 'execute', 'validate', 'apply']) expect(result.stdout).toContain(`▸ ${phase}`);
    expect(result.stdout).toContain('review automation stops here');
    expect(result.stdout).toMatch(/done: demo\/quickstart changed 4 files and applied them as commit [0-9a-f]{7}/);
    const project = /project {2}(\S+)/.exec(result.stdout)?.[1];
    expect(project).toBeDefined();
    rmSync(project!, { recursive: true, force: true });
  });
});
