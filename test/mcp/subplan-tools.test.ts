import { describe, expect, it } from 'vitest';
import type { PlanRecord } from '../../src/domain/index.js';
import { textOf } from './mcp-client.js';
import { openPlan, session } from './server-fixture.js';

// subplan_spawn, subplan_wait, plan_conflicts and plan_resolve of `troupe mcp`: child plans and the conflicts of their merges

describe('the subplan and conflict tools', () => {
  it('spawn children, wait with a timeout, finish them, and settle their conflict with a side', async () => {
    const mcp = await session({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    const plan = await openPlan(mcp, 'agent/parent', { resourceScopes: ['shared.txt'] });
    const spawned = await mcp.call('subplan_spawn', {
      plan: plan.id,
      children: [{ goal: 'Left' }, { goal: 'Right' }],
      rationale: 'two ways',
    });
    expect(textOf(spawned)).toMatch(
      /^step 1 spawned 2 child plan\(s\); work on each by its id, plan_finish it, then subplan_wait:\nagent\/parent-1 \(\w+\): running — Left\nagent\/parent-2 \(\w+\): running — Right\nmay write the same files: agent\/parent-1 and agent\/parent-2 \(shared\.txt \/ shared\.txt\)$/,
    );
    const [left, right] = (spawned.structuredContent as { children: { id: string }[] }).children;
    const early = await mcp.call('subplan_wait', { plan: plan.id, timeoutMs: 0 });
    expect(early.structuredContent).toMatchObject({ done: false });
    expect(textOf(early)).toMatch(/^still running: .* — call subplan_wait again/);
    await mcp.ok('write_file', { plan: left!.id, path: 'shared.txt', content: 'one\nLEFT\nthree\n' });
    await mcp.ok('write_file', { plan: right!.id, path: 'shared.txt', content: 'one\nRIGHT\nthree\n' });
    await mcp.ok('plan_finish', { plan: left!.id });
    await mcp.ok('plan_finish', { plan: right!.id });
    const waited = await mcp.call('subplan_wait', { plan: plan.id });
    expect(textOf(waited)).toContain('1 merge conflict waits: plan_conflicts shows them, plan_resolve settles each');
    expect(textOf(waited)).toContain('conflict: shared.txt (content, from');
    const conflicts = await mcp.call('plan_conflicts', { plan: plan.id });
    expect(textOf(conflicts)).toContain(
      '  <<<<<<< ours\nLEFT\n  ||||||| base\ntwo\n  =======\nRIGHT\n  >>>>>>> theirs',
    );
    expect(textOf(await mcp.call('plan_status', { plan: plan.id }))).toContain('1 merge conflict waits');
    const resolved = await mcp.call('plan_resolve', { plan: plan.id, file: 'shared.txt', side: 'theirs' });
    expect(textOf(resolved)).toMatch(/^resolved shared.txt with theirs — all settled: merge commit [0-9a-f]{7}\n/);
    expect(textOf(await mcp.call('plan_conflicts', { plan: plan.id }))).toBe('no open conflicts (execute · waiting)');
    expect(textOf(await mcp.call('read_file', { plan: plan.id, path: 'shared.txt' }))).toBe('one\nRIGHT\nthree\n');
  });

  it('tells a finished child plan to wait for its parent’s subplan_wait, not plan_apply (issue 35)', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp, 'agent/parent');
    const [child] = (
      await mcp.ok<{ children: { id: string }[] }>('subplan_spawn', { plan: plan.id, children: [{ goal: 'Child' }] })
    ).children;
    await mcp.ok('write_file', { plan: child!.id, path: 'child.txt', content: 'c\n' });
    const finished = textOf(await mcp.call('plan_finish', { plan: child!.id }));
    expect(finished).toMatch(
      /^agent\/parent-1 \(\w+\): validate · complete — validated: subplan_wait on its parent agent\/parent merges it back/,
    );
    expect(finished).not.toContain('plan_apply brings');
    expect(textOf(await mcp.call('plan_status', { plan: child!.id }))).toContain(
      'subplan_wait on its parent agent/parent',
    );
    expect(textOf(await mcp.call('plan_list', {}))).toContain('subplan_wait on its parent agent/parent');
  });

  it('gives children the parent’s scopes by default, and none to the children of a parent without scopes (issue 35)', async () => {
    const mcp = await session();
    const scoped = await openPlan(mcp, 'agent/scoped', { resourceScopes: ['src/**'] });
    const [inherits] = (
      await mcp.ok<{ children: { id: string }[] }>('subplan_spawn', {
        plan: scoped.id,
        children: [{ goal: 'Inherit' }],
      })
    ).children;
    await mcp.ok('write_file', { plan: inherits!.id, path: 'src/in.ts', content: 'in\n' });
    expect(await mcp.call('write_file', { plan: inherits!.id, path: 'out.txt', content: 'out\n' })).toMatchObject({
      isError: true,
      structuredContent: { error: { code: 'SCOPE_VIOLATION' } },
    });

    const open = (
      await mcp.ok<{ plan: PlanRecord }>('plan_create', { spec: { name: 'agent/anything', goal: 'Work anywhere' } })
    ).plan;
    const spawned = await mcp.call('subplan_spawn', { plan: open.id, children: [{ goal: 'Anywhere' }] });
    expect(spawned.isError, textOf(spawned)).toBeFalsy();
    const [free] = (spawned.structuredContent as { children: { id: string }[] }).children;
    await mcp.ok('write_file', { plan: free!.id, path: 'anywhere.txt', content: 'a\n' });
    await mcp.ok('write_file', { plan: free!.id, path: 'src/deep/file.ts', content: 'b\n' });
  });

  it('lists plans each with its own conflict count, not its place in the list (issue 35)', async () => {
    const mcp = await session({ 'README.md': '# project\n', 'shared.txt': 'one\ntwo\nthree\n' });
    await openPlan(mcp, 'agent/first');
    await openPlan(mcp, 'agent/second');
    const plan = await openPlan(mcp, 'agent/parent', { resourceScopes: ['shared.txt'] });
    const spawned = await mcp.ok<{ children: { id: string }[] }>('subplan_spawn', {
      plan: plan.id,
      children: [{ goal: 'Left' }, { goal: 'Right' }],
    });
    for (const [child, word] of [
      [spawned.children[0]!, 'LEFT'],
      [spawned.children[1]!, 'RIGHT'],
    ] as const) {
      await mcp.ok('write_file', { plan: child.id, path: 'shared.txt', content: `one\n${word}\nthree\n` });
      await mcp.ok('plan_finish', { plan: child.id });
    }
    await mcp.ok('subplan_wait', { plan: plan.id });
    const lines = textOf(await mcp.call('plan_list', {})).split('\n');
    expect(lines.filter((line) => line.includes('conflict'))).toEqual([
      expect.stringMatching(
        /^agent\/parent \(\w+\): execute · waiting — 1 merge conflict waits: plan_conflicts shows them/,
      ),
    ]);
    expect(lines.find((line) => line.startsWith('agent/first'))).toMatch(/— open: call read_file/);
    expect(lines.find((line) => line.startsWith('agent/second'))).toMatch(/— open: call read_file/);
  });

  it('show a rename/rename between children with both paths, and settle it by the old path', async () => {
    const notes = 'one\ntwo\nthree\nfour\n';
    const mcp = await session({ 'README.md': '# project\n', 'notes.txt': notes });
    const plan = await openPlan(mcp, 'agent/parent');
    const spawned = await mcp.call('subplan_spawn', {
      plan: plan.id,
      children: [{ goal: 'Left' }, { goal: 'Right' }],
      rationale: 'two names',
    });
    const [left, right] = (spawned.structuredContent as { children: { id: string }[] }).children;
    for (const [child, path] of [
      [left!, 'left.txt'],
      [right!, 'right.txt'],
    ] as const) {
      await mcp.ok('delete_file', { plan: child.id, path: 'notes.txt' });
      await mcp.ok('write_file', { plan: child.id, path, content: notes });
      await mcp.ok('plan_finish', { plan: child.id });
    }
    expect(textOf(await mcp.call('subplan_wait', { plan: plan.id }))).toContain(
      'conflict: left.txt (rename-rename, from',
    );
    const conflicts = await mcp.call('plan_conflicts', { plan: plan.id });
    expect(textOf(conflicts)).toMatch(
      /^left\.txt \(rename-rename, from agent\/parent-2\)\n {2}renamed: notes\.txt → ours left\.txt, theirs right\.txt\n/,
    );
    expect(conflicts.structuredContent).toMatchObject({
      conflicts: [
        {
          file: 'left.txt',
          kind: 'rename-rename',
          paths: { base: 'notes.txt', ours: 'left.txt', theirs: 'right.txt' },
        },
      ],
    });
    await mcp.ok('plan_resolve', { plan: plan.id, file: 'notes.txt', side: 'theirs' });
    const files = textOf(await mcp.call('list_files', { plan: plan.id }));
    expect(files).toContain('right.txt');
    expect(files).not.toMatch(/notes\.txt|left\.txt/);
    expect(textOf(await mcp.call('read_file', { plan: plan.id, path: 'right.txt' }))).toBe(notes);
  });
});
