import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Changeset, JournalEvent, PlanRecord } from '../../domain/index.js';
import { openRuntime } from '../../runtime/index.js';
import { EXIT, exitCodeForPlan } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import type { Output } from '../output.js';
import { formatChangeset } from '../format/changeset.js';
import { formatDecisionTree } from '../format/decision-tree.js';
import { packageRoot } from '../package-root.js';
import { createScratchProject } from '../scratch-project.js';

/**
 * `troupe demo`: copy examples/quickstart/project into a scratch git repo,
 * run examples/quickstart/plan.yaml through all four phases on the embedded
 * LevelDB store, and narrate what happened.
 */
export async function demo(context: CommandContext): Promise<number> {
  const { out } = context;
  const example = join(packageRoot(), 'examples', 'quickstart');
  const project = await createScratchProject(join(example, 'project'));
  const say = (text = '') => out.line(text);
  say(`${out.paint('bold', 'troupe demo')} — a plan that changes code, on a scratch git repository`);
  say(`  project  ${project}`);

  const session = await openRuntime({ dir: project, ...(context.inspect ? { inspect: context.inspect } : {}) });
  try {
    const runtime = session.runtime;
    const plan = await runtime.createPlan(await readFile(join(example, 'plan.yaml'), 'utf8'), {
      origin: 'examples/quickstart/plan.yaml',
    });
    say(`  plan     ${plan.name} (${plan.id}): ${plan.goal}`);
    say();
    const stop = runtime.subscribe(plan.id, (event) => {
      if (out.options.stream) out.event(event);
      else narrate(event, out, say);
    });
    let record: PlanRecord;
    try {
      record = await runtime.run(plan.id);
      if (record.phase === 'validate' && record.status === 'complete') {
        say(`  ${out.paint('dim', 'review automation stops here: the project is untouched until you apply.')}`);
        say(`  ${out.paint('dim', 'the demo applies it for you (troupe plan apply demo/quickstart).')}`);
        record = await runtime.runPhase(plan.id, 'apply');
      }
    } finally {
      stop();
    }
    const changes = await runtime.changes(plan.id);
    const tree = await runtime.explain(plan.id);
    const journal = await runtime.events(plan.id);
    say();
    say(out.paint('bold', 'What happened'));
    say(indent(formatChangeset(changes, out)));
    say();
    say(indent(formatDecisionTree(tree.root, out)));
    say();
    say(`  ${journal.length} events journaled; every transition was one atomic write to ${project}/.troupe/db`);
    say();
    say(out.paint('bold', 'Look around'));
    say(`  git -C ${project} log --stat -1   # the commit troupe applied`);
    for (const command of ['plan status', 'plan explain', 'plan changes', 'events']) {
      say(`  npx troupe -C ${project} ${command} demo/quickstart`);
    }
    out.result({ project, plan: record, changes, events: journal.length }, () => summary(record, changes, out));
    return record.status === 'done' ? EXIT.ok : exitCodeForPlan(record) || EXIT.failed;
  } finally {
    await session.close();
  }
}

function narrate(event: JournalEvent, out: Output, say: (text?: string) => void): void {
  const data = event.data as Record<string, unknown>;
  const explain: Record<string, string> = {
    strategize: 'read-only: the strategist records decisions, nothing may change',
    execute: 'each step is a tool call in the plan’s own git worktree, committed after it writes',
    validate: 'the plan’s validate commands run in the sandbox',
    apply: 'the sandbox’s changes land on the project’s branch as one commit',
  };
  switch (event.type) {
    case 'phase.started':
      say(
        `${out.paint('cyan', '▸')} ${out.paint('bold', event.phase ?? '')}  ${out.paint('dim', explain[event.phase ?? ''] ?? '')}`,
      );
      break;
    case 'step.started':
      say(`    step ${Number(data.index) + 1}: ${String(data.title)}`);
      break;
    case 'tool.called':
      for (const call of (data.calls as { tool: string; success: boolean }[]) ?? []) {
        say(`      ${call.success ? out.paint('green', '✓') : out.paint('red', '✗')} ${call.tool}`);
      }
      break;
    case 'phase.completed':
      say(
        `  ${out.paint('green', '✓')} ${event.phase} complete${typeof data.commit === 'string' ? `: commit ${data.commit.slice(0, 7)} on the project's branch` : ''}`,
      );
      break;
    case 'phase.failed':
      say(`  ${out.paint('red', '✗')} ${event.phase} failed: ${String(data.code)} ${String(data.message)}`);
      break;
  }
}

function summary(record: PlanRecord, changes: Changeset | null, out: Output): string {
  const files = changes?.files.length ?? 0;
  return record.status === 'done'
    ? `${out.paint('green', 'done')}: ${record.name} changed ${files} file${files === 1 ? '' : 's'} and applied them as commit ${record.appliedCommit?.slice(0, 7) ?? '(none)'}`
    : `${out.paint('red', record.status)}: ${record.name} stopped at ${record.phase} (${record.error?.code ?? 'no error'}: ${record.error?.message ?? ''})${record.error?.hint ? `\nhint: ${record.error.hint}` : ''}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
