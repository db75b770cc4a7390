import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDecisionTree } from '../../src/cli/format/decision-tree.js';
import { formatLog } from '../../src/cli/format/logs.js';
import { formatProgress } from '../../src/cli/format/progress.js';
import { deniedLines, deniedRow, networkDenials } from '../../src/cli/format/network-refusals.js';
import { formatPlanRecord } from '../../src/cli/format/plan-record.js';
import { Output } from '../../src/cli/output.js';
import type { DecisionNode, JournalEvent, PlanLog } from '../../src/domain/index.js';
import { tempRepo } from '../helpers/temp.js';
import { planYaml, step } from '../runtime/fixtures.js';
import { commandLog, planRecord } from '../store/fixtures.js';
import { runCli } from './run-cli.js';

// What a plan's network allow-list refused, as plan status, plan explain and plan logs say it (issue 39 item 3).

const out = new Output({ json: false, stream: false, color: false }, { stdout: () => {}, stderr: () => {} });

function denied(seq: number, data: Record<string, unknown>, phase: JournalEvent['phase'] = 'execute'): JournalEvent {
  return {
    seq,
    ts: '2026-11-25T15:00:00.000Z',
    planId: 'P',
    type: 'network.denied',
    phase,
    data: { port: 443, command: 'curl x', step: null, kind: 'step', reason: 'not-listed', ...data },
  };
}

describe('refusals in words', () => {
  const events: JournalEvent[] = [
    { seq: 1, ts: '2026-11-25T15:00:00.000Z', planId: 'P', type: 'step.started', phase: 'execute', data: { index: 0 } },
    denied(2, { host: 'evil.example', port: 80, step: 0 }),
    denied(3, { host: 'cdn.example', kind: 'validate', command: null }, 'validate'),
    denied(4, { host: 'db.example', kind: 'check', invariant: 'tests' }),
    denied(5, { host: 'feed.example', kind: 'service', tool: 'web' }),
    denied(6, { host: 'a.example', kind: 'read' }),
    denied(7, { host: 'b.example', step: 3 }),
  ];

  it('reads them from the journal and says where each came from', () => {
    const refusals = networkDenials(events);
    expect(refusals).toHaveLength(6);
    expect(deniedRow(refusals)).toBe(
      'evil.example:80 (step 1), cdn.example:443 (validate), db.example:443 (check tests), feed.example:443 (service web), a.example:443 (read), and 1 more — not on the network allow-list',
    );
    expect(deniedLines(refusals.slice(0, 2))).toEqual([
      'refused evil.example:80 in step 1: curl x',
      'refused cdn.example:443 in validate',
    ]);
  });

  it('says why each was refused when the reasons differ: a name leading to this machine, a cap on connections', () => {
    const mixed = networkDenials([
      denied(1, { host: 'evil.example', step: 0 }),
      denied(2, { host: 'meta.example', port: 80, step: 0, reason: 'metadata' }),
      denied(3, { host: '127.0.0.1', port: 41827, step: 1, reason: 'connections', cap: { per: 'plan', limit: 1024 } }),
    ]);
    expect(deniedRow(mixed)).toBe(
      "evil.example:443 (step 1: not on the network allow-list), meta.example:80 (step 1: it leads to a cloud metadata service), 127.0.0.1:41827 (step 2: too many connections at once (the plan's cap of 1024))",
    );
    expect(deniedRow(mixed.slice(1, 2))).toBe('meta.example:80 (step 1) — it leads to a cloud metadata service');
    expect(formatProgress(denied(4, { host: 'lan.example', reason: 'this-machine' }), out)).toContain(
      'refused lan.example:443 — it leads to an address of this machine',
    );
  });

  it('shows a host a command named with control characters escaped', () => {
    const [line] = deniedLines(networkDenials([denied(1, { host: 'evil\u001b[31m.example', step: 0 })]));
    expect(line).not.toContain('\u001b');
  });

  it('adds a refused row to plan status, with what to do', () => {
    const text = formatPlanRecord(planRecord({ name: 'demo/net', phase: 'execute', status: 'complete' }), out, {
      refused: networkDenials(events.slice(0, 2)),
    });
    expect(text).toContain('  refused     evil.example:80 (step 1) — not on the network allow-list\n');
    expect(text).toContain(
      'if the plan needs them, add them to network.allow (docs/explanation/sandbox.md#network-by-name); troupe plan explain demo/net names the commands',
    );
    expect(formatPlanRecord(planRecord({ name: 'demo/net' }), out, { refused: [] })).not.toContain('refused');
  });

  it('puts the refusals under the plan’s sandbox_policy decision in plan explain, once', () => {
    const node = (type: DecisionNode['type'], title: string, children: DecisionNode[] = []): DecisionNode =>
      ({
        id: title,
        planId: 'P',
        parentId: null,
        type,
        title,
        rationale: '',
        payload: {},
        actor: 'runtime',
        createdAt: '',
        status: 'active',
        children,
      }) as DecisionNode;
    const tree = node('strategy', 'Do it', [
      node('sandbox_policy', 'Commands may reach only the hosts on the allow-list: a.example'),
      node('sandbox_policy', 'another'),
    ]);
    const text = formatDecisionTree(tree, out, { sandbox_policy: ['refused evil.example:80 in step 1: curl x'] });
    expect(text.split('\n')).toEqual([
      'strategy Do it',
      '├─ sandbox_policy Commands may reach only the hosts on the allow-list: a.example',
      '│     refused evil.example:80 in step 1: curl x',
      '└─ sandbox_policy another',
    ]);
  });

  it('counts what a command asked for in plan logs', () => {
    const log: PlanLog = {
      ...commandLog('P', 1),
      discardedBy: null,
      network: { allowed: { 'registry.npmjs.org': 12 }, denied: { 'evil.example': 1 } },
    };
    expect(formatLog(log, out).split('\n')[2]).toBe('network: registry.npmjs.org ×12 · refused evil.example ×1');
    expect(formatLog({ ...log, network: { allowed: {}, denied: { 'evil.example': 2 } } }, out).split('\n')[2]).toBe(
      'network: nothing let through · refused evil.example ×2',
    );
  });
});

describe('troupe plan run, status and explain of a plan whose allow-list refused a host', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let run: string;
  let progress: string;
  const command = 'curl -s http://evil.example/ > refused.txt; true';
  beforeAll(async () => {
    ({ dir, cleanup } = await tempRepo({ 'README.md': '# cli\n' }));
    writeFileSync(
      join(dir, 'net.yaml'),
      planYaml({
        name: 'demo/net',
        network: { allow: ['registry.npmjs.org'] },
        strategy: { steps: [step('Reach out', 'shell/run', { command })] },
      }),
    );
    const result = await runCli(dir, ['plan', 'run', 'net.yaml'], { env: { NO_COLOR: '1' } });
    expect(result.code, result.stderr).toBe(0);
    run = result.stdout;
    progress = result.stderr;
  });
  afterAll(() => cleanup());

  it('says so as it happens, when the run ends, and in plan status', async () => {
    expect(progress).toContain('  ! refused evil.example:80 — not on the network allow-list\n');
    expect(run).toContain('refused     evil.example:80 (step 1) — not on the network allow-list');
    const status = await runCli(dir, ['plan', 'status', 'demo/net'], { env: { NO_COLOR: '1' } });
    expect(status.stdout).toContain('evil.example:80 (step 1)');
    // one event a line
    const events = (await runCli(dir, ['events', 'demo/net', '--json'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; phase: string; data: unknown });
    expect(
      events
        .filter((event) => event.type === 'network.denied')
        .map((event) => ({ ...(event.data as object), phase: event.phase })),
    ).toEqual([
      {
        host: 'evil.example',
        port: 80,
        command,
        step: 0,
        kind: 'step',
        tool: 'shell/run',
        reason: 'not-listed',
        phase: 'execute',
      },
    ]);
  });

  it('names the list and the refused command in plan explain', async () => {
    const explain = await runCli(dir, ['plan', 'explain', 'demo/net'], { env: { NO_COLOR: '1' } });
    expect(explain.stdout).toMatch(
      /sandbox_policy Commands may reach only the hosts on the allow-list: registry\.npmjs\.org\n.*network\.allow in the plan file: commands reach registry\.npmjs\.org through troupe's proxy/,
    );
    expect(explain.stdout).toContain(`refused evil.example:80 in step 1: ${command}`);
    const json = JSON.parse((await runCli(dir, ['plan', 'explain', 'demo/net', '--json'])).stdout) as {
      root: unknown;
      networkDenied: { host: string }[];
    };
    expect(json.root).toBeTruthy();
    expect(json.networkDenied.map((refusal) => refusal.host)).toEqual(['evil.example']);
  });
});
