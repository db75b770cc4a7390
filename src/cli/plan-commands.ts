import { Option, type Command } from 'commander';
import type { SelectCommand, SelectedHow } from './selected-command.js';

const PHASE_COMMANDS = ['strategize', 'execute', 'validate', 'apply'] as const;
// the phases that run commands (apply merges and commits, it runs none)
const LOG_PHASES = ['strategize', 'execute', 'validate'];
// the values of MERGE_STRATEGIES (src/domain): the program loads nothing else at start
const MERGE_STRATEGY_CHOICES = ['three-way', 'ours', 'theirs', 'fail-on-conflict'];

/**
 * Declare `troupe plan` and its subcommands on the program: creating,
 * driving, inspecting, correcting and ending plans. As everywhere in the
 * program, an action only records which command to run (see buildProgram).
 *
 * @example
 * const program = new Command('troupe');
 * addPlanCommands(program, (selected) => (chosen = selected));
 */
export function addPlanCommands(program: Command, select: SelectCommand): void {
  // the commands that create plans set a project up; every other one needs it set up already
  const SETS_UP: SelectedHow = { setsUp: true };
  const plan = program.command('plan').description('create, run and inspect plans').exitOverride();

  plan
    .command('new [file]')
    .description('create a plan from a plan file (YAML/JSON) or from --name and --goal')
    .option('--name <name>', 'plan name, namespace/name')
    .option('--goal <goal>', 'what the plan should achieve')
    .addOption(new Option('--automation <mode>', 'how far it runs on its own').choices(['manual', 'review', 'auto']))
    .option('--scope <glob...>', 'resourceScopes: globs the plan may write')
    .option('--definition-of-done <text>', 'when the goal counts as reached')
    .option('--replace', 'take the name of a plan that has ended: it is deleted first')
    .action((file: string | undefined, options) =>
      select(async (context) => (await import('./commands/plan-new.js')).planNew(context, file, options), SETS_UP),
    );

  plan
    .command('list')
    .description('plans that have not ended')
    .option('--all', 'include done, cancelled and invalidated plans')
    .action((options) =>
      select(async (context) => (await import('./commands/plan-list.js')).planList(context, options)),
    );

  plan
    .command('status <plan>')
    .description('the plan record: phase, status, steps, sandbox, error')
    .option('--watch', 'print it again on every event until the plan ends')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/plan-status.js')).planStatus(context, ref, options)),
    );

  plan
    .command('run <plan>')
    .description('drive a plan (a name, id, id prefix or plan file) as far as its automation allows')
    .addOption(new Option('--until <phase>', 'stop after this phase').choices(PHASE_COMMANDS))
    .option('--replace', 'with a plan file: take the name of a plan that has ended (it is deleted first)')
    .option('--verbose', 'show the child plans’ own steps too')
    .option('--remote', 'run it on a worker of the project’s queue, at most to validate (docs/how-to/scale-out.md)')
    .action((target: string, options) =>
      select(async (context) => (await import('./commands/plan-run.js')).planRun(context, target, options), SETS_UP),
    );

  plan
    .command('finish <plan>')
    .description('end the execute phase of an agent-driven plan and drive it on as plan run would')
    .addOption(new Option('--until <phase>', 'stop after this phase').choices(PHASE_COMMANDS))
    .option('--verbose', 'show the child plans’ own steps too')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/plan-run.js')).planFinish(context, ref, options)),
    );

  for (const phase of PHASE_COMMANDS.filter((name) => name !== 'apply')) {
    plan
      .command(`${phase} <plan>`)
      .description(`run the ${phase} phase only`)
      .option('--verbose', 'show the child plans’ own steps too')
      .action((ref: string, options: { verbose?: boolean }) =>
        select(async (context) => (await import('./commands/plan-run.js')).planPhase(phase)(context, ref, options)),
      );
  }

  plan
    .command('apply <plan>')
    .description('run the apply phase only: one commit on the project’s branch, merged if it moved on')
    .addOption(
      new Option(
        '--strategy <strategy>',
        'how conflicts are settled (default: they wait for troupe plan resolve)',
      ).choices(MERGE_STRATEGY_CHOICES),
    )
    .option('--dry-run', 'say what apply would commit (the files and their actions) and change nothing')
    .option('--patch', 'with --dry-run: the diff of that commit too')
    .option('--verbose', 'show the child plans’ own steps too')
    .action((ref: string, options) =>
      select(async (context) => {
        const preview = await import('./commands/plan-apply-preview.js');
        preview.checkApplyFlags(options);
        if (options.dryRun) return preview.planApplyPreview(context, ref, options);
        return (await import('./commands/plan-run.js')).planPhase('apply')(context, ref, options);
      }),
    );

  plan
    .command('explain <plan>')
    .description('the decision tree')
    .action((ref: string) =>
      select(async (context) => (await import('./commands/plan-explain.js')).planExplain(context, ref)),
    );

  plan
    .command('tree <plan>')
    .description('the plan and its child plans, with phase, status and attempt')
    .action((ref: string) =>
      select(async (context) => (await import('./commands/plan-tree.js')).planTree(context, ref)),
    );

  plan
    .command('changes <plan>')
    .description('the files the plan changed in its sandbox')
    .option('--patch', 'the unified diff instead (coloured on a terminal)')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/plan-changes.js')).planChanges(context, ref, options)),
    );

  plan
    .command('logs <plan>')
    .description('the stdout and stderr of the commands the plan ran: steps, validate, invariant checks')
    .option('--step <n>', 'only step n (counted from 1, as plan status counts) and the checks after it')
    .option(
      '--read <n>',
      "only read n: an agent's command that changed nothing (counted from 1, as run_command answers)",
    )
    .addOption(new Option('--phase <phase>', 'only the commands run in this phase').choices(LOG_PHASES))
    .option('--follow', 'keep printing new logs until the plan comes to rest or ends')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/plan-logs.js')).planLogs(context, ref, options)),
    );

  plan
    .command('conflicts <plan>')
    .description('the conflicts the plan waits on, file by file, with their hunks')
    .action((ref: string) =>
      select(async (context) => (await import('./commands/plan-conflicts.js')).planConflicts(context, ref)),
    );

  plan
    .command('resolve <plan> <file>')
    .description('resolve one conflicting file: --ours, --theirs or --use <path>')
    .option(
      '--ours',
      'settle each conflict to ours: the project’s branch (apply) or the plan’s sandbox (a child’s merge); what merged cleanly stays',
    )
    .option(
      '--theirs',
      'settle each conflict to theirs: the plan (apply) or the child plan (a child’s merge); what merged cleanly stays',
    )
    .option('--use <path>', 'take this file as the resolution (e.g. the copy with markers you edited)')
    .option(
      '--allow-markers',
      'with --use: take the file though it holds conflict markers (a test fixture, docs about git)',
    )
    .action((ref: string, file: string, options) =>
      select(async (context) => (await import('./commands/plan-resolve.js')).planResolve(context, ref, file, options)),
    );

  plan
    .command('cancel <plan>')
    .description('stop a plan for good (a running step is aborted)')
    .option('--reason <text>', 'why, recorded in the journal')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/plan-cancel.js')).planCancel(context, ref, options)),
    );

  plan
    .command('delete <plan>')
    .description('remove a plan and its child plans for good: sandboxes, branches, checkpoints, journal (asks first)')
    .action((ref: string) =>
      select(async (context) => (await import('./commands/plan-delete.js')).planDelete(context, ref)),
    );

  plan
    .command('rollback <plan>')
    .description(
      'put the plan, its sandbox, decisions and child plans back to a checkpoint (asks first; --yes does not)',
    )
    .option(
      '--to <checkpoint>',
      'checkpoint id or label, step:N (just after step N) or last-clean (default: the newest before the current state)',
    )
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/plan-rollback.js')).planRollback(context, ref, options)),
    );

  plan
    .command('correct <plan>')
    .description(
      'correct a plan: --mode revert to a clean checkpoint (asks first), or --mode append --step <json|@file>',
    )
    .option('--mode <mode>', 'revert or append')
    .option('--to <checkpoint>', 'revert: checkpoint id or label, step:N or last-clean (default: the newest clean one)')
    .option('--step <json|@file>', 'append: a step {title, tool, input} or a list of them, as JSON or @file')
    .option('--reason <text>', 'why, recorded in the correction decision')
    .option('--verbose', 'show the child plans’ own steps too')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/plan-correct.js')).planCorrect(context, ref, options)),
    );

  plan
    .command('update <plan> <file>')
    .description(
      'go on with an edited plan file: its validate, env, invariants, sandbox.limits and network (before apply)',
    )
    .option('--reason <text>', 'why, recorded in the plan_update decision')
    .action((ref: string, file: string, options) =>
      select(async (context) => (await import('./commands/plan-update.js')).planUpdate(context, ref, file, options)),
    );

  plan
    .command('resume [plan]')
    .description('continue the plan, or every plan that has not ended, from where it was left')
    .option('--verbose', 'show the child plans’ own steps too')
    .action((ref: string | undefined, options: { verbose?: boolean }) =>
      select(async (context) => (await import('./commands/plan-resume.js')).planResume(context, ref, options)),
    );
}
