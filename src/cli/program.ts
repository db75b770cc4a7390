import { Argument, Command, Option } from 'commander';
import type { CommandContext } from './context.js';

/** The command chosen by parsing argv: run it with a context. */
export type Selected = (context: CommandContext) => Promise<number>;

/** How a selected command treats the project: `setsUp` when it may make the repository a troupe project (a command that creates plans); the others only read or change plans that exist. */
export interface SelectedHow {
  setsUp?: boolean;
}

/** Global flags (SPEC §11). */
export interface GlobalOptions {
  json?: boolean;
  stream?: boolean;
  color?: boolean;
  C?: string;
  yes?: boolean;
  /** `--inspect` alone is `true`; with a port, the port as typed. */
  inspect?: boolean | string;
  /** `--no-wait`: false — a PostgreSQL store that goes away fails the command at once instead of being waited for. */
  wait?: boolean;
}

/**
 * argv as commander should read it: a global flag may stand anywhere
 * (SPEC §11), but commander gives an optional value to a flag whatever word
 * follows it, so `troupe --inspect plan list` would take `plan` for the
 * port. A bare `--inspect` keeps the number after it as its port and
 * nothing else: otherwise it becomes `--inspect=` (the default port). Values
 * of flags that take one are skipped, and nothing after `--` is touched.
 *
 * @example
 * globalFlagsAnywhere(['--inspect', 'plan', 'list'], program); // ['--inspect=', 'plan', 'list']
 * globalFlagsAnywhere(['--inspect', '9000', 'plan', 'list'], program); // unchanged
 */
export function globalFlagsAnywhere(argv: readonly string[], program: Command): string[] {
  const takesValue = new Set<string>();
  const collect = (command: Command) => {
    for (const option of command.options)
      if (option.required) for (const flag of [option.long, option.short]) if (flag) takesValue.add(flag);
    command.commands.forEach(collect);
  };
  collect(program);
  const out = [...argv];
  for (let index = 0; index < out.length; index += 1) {
    const arg = out[index]!;
    if (arg === '--') break;
    if (takesValue.has(arg)) index += 1;
    else if (arg === '--inspect' && !/^\d+$/.test(out[index + 1] ?? '')) out[index] = '--inspect=';
  }
  return out;
}

const PHASE_COMMANDS = ['strategize', 'execute', 'validate', 'apply'] as const;
// the phases that run commands (apply merges and commits, it runs none)
const LOG_PHASES = ['strategize', 'execute', 'validate'];
/** The shells `troupe completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;
// the values of MERGE_STRATEGIES (src/domain): the program loads nothing else at start
const MERGE_STRATEGY_CHOICES = ['three-way', 'ours', 'theirs', 'fail-on-conflict'];

/**
 * The commander definition of the CLI. Actions only record which command
 * to run; its module is imported after parsing, so `troupe plan status`
 * loads nothing it does not use (DESIGN §7).
 */
export function buildProgram(version: string, select: (selected: Selected, how?: SelectedHow) => void): Command {
  // the commands that create plans (or serve those who do) set a project up; every other one needs it set up already
  const SETS_UP: SelectedHow = { setsUp: true };
  const program = new Command('troupe')
    .description('A durable plan runtime for agents that change code')
    .version(version, '-v, --version')
    .option('--json', 'print exactly one JSON document on stdout')
    .option('--stream', 'print the plan’s events as NDJSON on stdout while it runs')
    .option('-C <dir>', 'run as if troupe was started in <dir>')
    .option('--no-color', 'no colours (also NO_COLOR=1)')
    .option('--yes', 'answer yes to confirmations')
    .option(
      '--no-wait',
      'a PostgreSQL store that goes away fails the command at once (STORE_UNAVAILABLE) instead of being waited for',
    )
    .option('--inspect [port]', 'serve the XState inspector on 127.0.0.1:<port> (default 8080) while the command runs')
    .showHelpAfterError(false)
    // a subcommand's --help lists --yes, --json, -C… too: they work after it (globalFlagsAnywhere)
    .configureHelp({ showGlobalOptions: true })
    .exitOverride();

  program
    .command('init')
    .description('make this git repository a troupe project (.troupe/, excluded from git)')
    .action(() => select(async (context) => (await import('./commands/init.js')).init(context), SETS_UP));

  program
    .command('doctor')
    .description('check what troupe needs here: node, git, bubblewrap, user namespaces, the project config and store')
    .option(
      '--repair',
      'after a crash or power cut: remove empty git objects, roll back each plan whose commits git cannot read to its newest readable checkpoint (asks first)',
    )
    .action((options: { repair?: boolean }) =>
      select(async (context) =>
        options.repair
          ? (await import('./commands/doctor-repair.js')).doctorRepair(context)
          : (await import('./commands/doctor.js')).doctor(context),
      ),
    );

  program
    .command('demo')
    .description('run examples/quickstart in a scratch git repository and narrate it')
    .action(() => select(async (context) => (await import('./commands/demo.js')).demo(context), SETS_UP));

  const project = program
    .command('project')
    .description('other git repositories that child plans may work in')
    .exitOverride();

  project
    .command('add <name> <path>')
    .description('register a git repository under a name (a-z, 0-9, -)')
    .action((name: string, path: string) =>
      select(async (context) => (await import('./commands/project.js')).projectAdd(context, name, path), SETS_UP),
    );

  project
    .command('list')
    .description('this project and the registered ones')
    .action(() => select(async (context) => (await import('./commands/project.js')).projectList(context)));

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
    .option('--remote', 'run it on a worker of the project’s queue, at most to validate (docs/scale-out.md)')
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

  const checkpoint = program
    .command('checkpoint')
    .description('the points a plan can be rolled back to')
    .exitOverride();

  checkpoint
    .command('list <plan>')
    .description('the plan’s checkpoints, oldest first (merge checkpoints with --all)')
    .option('--all', 'also the checkpoints of merge rounds (pre-merge, post-merge)')
    .action((ref: string, options: { all?: boolean }) =>
      select(async (context) => (await import('./commands/checkpoint.js')).checkpointList(context, ref, options)),
    );

  checkpoint
    .command('show <plan> <checkpoint>')
    .description('one checkpoint, by id or label')
    .action((ref: string, id: string) =>
      select(async (context) => (await import('./commands/checkpoint.js')).checkpointShow(context, ref, id)),
    );

  checkpoint
    .command('create <plan>')
    .description('take a manual checkpoint of the plan as it is now')
    .option('--label <text>', 'a name to roll back to it by')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/checkpoint.js')).checkpointCreate(context, ref, options)),
    );

  checkpoint
    .command('delete <plan> <checkpoint>')
    .description('delete one checkpoint, by id or label')
    .action((ref: string, id: string) =>
      select(async (context) => (await import('./commands/checkpoint.js')).checkpointDelete(context, ref, id)),
    );

  checkpoint
    .command('prune <plan>')
    .description('delete all but the newest N (never the newest, nor one an undo or a running child plan needs)')
    .option('--keep <n>', 'how many to keep (required, 0 or more)')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/checkpoint.js')).checkpointPrune(context, ref, options)),
    );

  program
    .command('events <plan>')
    .description(
      'the plan’s journal: a line per event on a terminal (or with --human), NDJSON in a pipe or with --json',
    )
    .option('--tree', 'the plan’s and its child plans’ events in time order, each naming its plan')
    .option('--follow', 'keep printing new events until the plan ends')
    .option(
      '--type <types>',
      'only these event types, comma-separated; a prefix ending in a dot takes a family (step.)',
    )
    .option('--step <n>', 'only the events of step n (counted from 1, as plan status counts)')
    .option('--since <time>', 'only events since an ISO time, or for a duration back from now: 10m, 2h')
    .option('--human', 'a line per event even when stdout is no terminal')
    .action((ref: string, options) =>
      select(async (context) => (await import('./commands/events.js')).events(context, ref, options)),
    );

  program
    .command('gc')
    .description('free the sandboxes (worktrees, branches) of plans that ended; their checkpoints’ commits are kept')
    .option('--older-than <duration>', 'only plans that ended at least this long ago: 30s, 10m, 2h, 7d')
    .option('--dry-run', 'say what would be freed, change nothing')
    .action((options) => select(async (context) => (await import('./commands/gc.js')).gc(context, options)));

  program
    .command('mcp')
    .description(
      'serve the project’s plans to coding agents over the Model Context Protocol (stdio; --http: 127.0.0.1 with a token)',
    )
    .option('--http [port]', 'serve Streamable HTTP on 127.0.0.1:<port> (default 7465) instead of stdio')
    .action((options: { http?: boolean | string }) =>
      select(async (context) => (await import('./commands/mcp.js')).mcp(context, options), SETS_UP),
    );

  program
    .command('worker')
    .description(
      'take child plans from the project’s queue and run them here, in a clone of the shared remote (docs/scale-out.md)',
    )
    .option('--concurrency <n>', 'how many child plans this process runs at once (default 1)')
    .option('--name <name>', "this worker's name in plan status and its log lines (default <host>-<pid>)")
    .action((options: { concurrency?: string; name?: string }) =>
      select(async (context) => (await import('./commands/worker.js')).worker(context, options), SETS_UP),
    );

  program
    .command('completion')
    .description('print the completion script of a shell (bash, zsh or fish) on stdout')
    .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(COMPLETION_SHELLS))
    .action((shell: (typeof COMPLETION_SHELLS)[number]) =>
      select(async (context) => (await import('./commands/completion.js')).completion(context, shell, program)),
    );

  program
    .command('ui [plan]')
    .description(
      'the live plan tree with phase, status and progress, and the selected plan’s details (text without a terminal)',
    )
    .action((ref: string | undefined) =>
      select(async (context) => (await import('./commands/ui.js')).ui(context, ref)),
    );

  return program;
}
