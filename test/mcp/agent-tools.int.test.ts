import { afterEach, describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { git, tempRepo } from '../helpers/temp.js';
import { connectMcp, textOf } from './mcp-client.js';

// edit_file, search_files and ranged read_file through `troupe mcp` over stdio, driven by
// the MCP SDK's own client, then checked in the plan's git history (issue 35).

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openPlan() {
  const lines = Array.from({ length: 30 }, (_, index) => `line ${index + 1}\n`).join('');
  const repo = await tempRepo({ 'src/app.ts': 'export const a = 1;\nexport const b = 1;\n', 'long.txt': lines });
  cleanups.push(repo.cleanup);
  const mcp = await connectMcp(repo.dir);
  cleanups.push(() => mcp.close());
  const { plan } = await mcp.ok<{ plan: PlanRecord }>('plan_create', {
    spec: { name: 'agent/edit', goal: 'Edit', resourceScopes: ['src/**'] },
  });
  return { mcp, plan, dir: repo.dir };
}

describe('editing, searching and paging over MCP', () => {
  it('edit_file changes exact text as one step with one commit, and a refused edit changes nothing and commits nothing', async () => {
    const { mcp, plan, dir } = await openPlan();
    const edited = await mcp.call('edit_file', {
      plan: plan.id,
      path: 'src/app.ts',
      edits: [
        { oldText: 'a = 1', newText: 'a = 2' },
        { oldText: '= 1;', newText: '= 3;', replaceAll: true },
      ],
      rationale: 'new values',
    });
    expect(edited.isError).toBeFalsy();
    expect(edited.structuredContent).toMatchObject({
      path: 'src/app.ts',
      edits: 2,
      replacements: 2,
      step: 1,
      wrote: true,
      commit: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(textOf(edited)).toMatch(/^edited src\/app\.ts \(2 replacements, 40 bytes\) — step 1, commit [0-9a-f]{7}$/);
    expect(await mcp.ok('read_file', { plan: plan.id, path: 'src/app.ts' })).toMatchObject({
      content: 'export const a = 2;\nexport const b = 3;\n',
      totalLines: 2,
    });

    const missing = await mcp.call('edit_file', {
      plan: plan.id,
      path: 'src/app.ts',
      edits: [
        { oldText: 'b = 3', newText: 'b = 4' },
        { oldText: 'c = 1', newText: 'c = 2' },
      ],
    });
    expect(missing.isError).toBe(true);
    expect(missing.structuredContent).toMatchObject({
      error: {
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('edits[1].oldText: not found in src/app.ts'),
      },
    });
    const twice = await mcp.call('edit_file', {
      plan: plan.id,
      path: 'src/app.ts',
      edits: [{ oldText: 'export const', newText: 'const' }],
    });
    expect(twice.structuredContent).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('found 2 times') },
    });
    const outOfScope = await mcp.call('edit_file', {
      plan: plan.id,
      path: 'long.txt',
      edits: [{ oldText: 'line 1\n', newText: '' }],
    });
    expect(outOfScope.structuredContent).toMatchObject({ error: { code: 'SCOPE_VIOLATION' } });
    const badArguments = await mcp.call('edit_file', { plan: plan.id, path: 'src/app.ts', edits: [] });
    expect(badArguments.isError).toBe(true);
    expect(textOf(badArguments)).toContain('edits');

    expect(await mcp.ok('read_file', { plan: plan.id, path: 'src/app.ts' })).toMatchObject({
      content: 'export const a = 2;\nexport const b = 3;\n',
    });
    // the refused edits left the plan open, and wrote no commit: the next edit's commit follows the first's
    const next = await mcp.ok<{ commit: string; wrote: boolean }>('edit_file', {
      plan: plan.id,
      path: 'src/app.ts',
      edits: [{ oldText: 'b = 3', newText: 'b = 4' }],
    });
    expect(next.wrote).toBe(true);
    expect(git(dir, 'rev-parse', `${next.commit}~1`)).toBe((edited.structuredContent as { commit: string }).commit);
  });

  it('read_file pages a file by lines and says how many there are', async () => {
    const { mcp, plan } = await openPlan();
    const page = await mcp.call('read_file', { plan: plan.id, path: 'long.txt', offset: 11, limit: 3 });
    expect(page.structuredContent).toMatchObject({
      content: 'line 11\nline 12\nline 13\n',
      offset: 11,
      lines: 3,
      totalLines: 30,
    });
    expect(textOf(page)).toBe('(lines 11–13 of 30)\nline 11\nline 12\nline 13\n');
    const last = await mcp.ok('read_file', { plan: plan.id, path: 'long.txt', offset: 29 });
    expect(last).toMatchObject({ content: 'line 29\nline 30\n', lines: 2 });
    const bad = await mcp.call('read_file', { plan: plan.id, path: 'long.txt', offset: 0 });
    expect(bad.isError).toBe(true);
    expect(textOf(bad)).toContain('offset');
  });

  it('search_files finds lines by a regular expression, as a read, and answers a catastrophic pattern at once', async () => {
    const { mcp, plan } = await openPlan();
    const found = await mcp.call('search_files', { plan: plan.id, pattern: 'export const a = \\d', contextLines: 1 });
    expect(found.isError).toBeFalsy();
    expect(found.structuredContent).toMatchObject({
      matches: [
        {
          path: 'src/app.ts',
          line: 1,
          column: 1,
          text: 'export const a = 1;',
          before: [],
          after: ['export const b = 1;'],
        },
      ],
      truncated: false,
    });
    expect(textOf(found)).toBe('src/app.ts:1:1: export const a = 1;\nsrc/app.ts-2-export const b = 1;');
    const few = await mcp.ok<{ matches: unknown[]; truncated: boolean }>('search_files', {
      plan: plan.id,
      pattern: '^line',
      glob: '*.txt',
      maxResults: 5,
    });
    expect(few.matches).toHaveLength(5);
    expect(few.truncated).toBe(true);
    expect(await mcp.ok('search_files', { plan: plan.id, pattern: '(l+)+$' })).toMatchObject({ matches: [] });
    const refused = await mcp.call('search_files', { plan: plan.id, pattern: '(a)\\1' });
    expect(refused.isError).toBe(true);
    expect(refused.structuredContent).toMatchObject({
      error: { code: 'VALIDATION_ERROR', message: expect.stringContaining('input.pattern') },
    });
    // a read: no step was taken, so the first write is step 1
    expect(
      await mcp.ok('edit_file', { plan: plan.id, path: 'src/app.ts', edits: [{ oldText: 'a = 1', newText: 'a = 2' }] }),
    ).toMatchObject({ step: 1 });
  });
});
