import { Argument, Command } from 'commander';
import { addPlanCommands } from './plan-commands.js';
import type { SelectCommand, SelectedHow } from './selected-command.js';

export type { Selected, SelectedHow } from './selected-command.js';

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

/** The shells `troupe completion` writes a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh', 'fish'] as const;

/**
 * The commander definition of the CLI. Actions only record which command
 * to run; its module is imported after parsing, so `troupe plan status`
 * loads nothing it does not use (DESIGN §7).
 */
export function buildProgram(version: string, select: SelectCommand): Command {
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

  addPlanCommands(program, select);

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
      'take child plans from the project’s queue and run them here, in a clone of the shared remote (docs/how-to/scale-out.md)',
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
