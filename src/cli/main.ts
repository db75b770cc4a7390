import { resolve } from 'node:path';
import { CommanderError, type Command } from 'commander';
// the domain's files, not its index: that builds every schema, which most commands never use
import { TroupeError, asTroupeError, type SerializedError } from '../domain/errors.js';
import { forTerminal } from '../domain/terminal-text.js';
import type { Inspector, RuntimeSession } from '../runtime/index.js';
// not the runtime's index, which loads the whole runtime: a command another process serves does without it
import { openRuntime } from '../runtime/open-runtime.js';
import { reportLine } from '../runtime/report-line.js';
import { askOnTerminal, isYes } from './ask.js';
import { docsPaths } from './docs-paths.js';
import { CommandSession } from './command-session.js';
import type { CommandContext, Terminal } from './context.js';
import { EXIT, exitCodeForError } from './exit-codes.js';
import { Output, colorWanted, type Writers } from './output.js';
import { packageVersion } from './package-root.js';
import { buildProgram, globalFlagsAnywhere, type GlobalOptions, type Selected } from './program.js';
import { Declined } from './declined.js';

/** The process around a CLI run; tests pass their own. */
export interface CliIo extends Writers {
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTty: boolean;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /**
   * Ask the user a question and return the answer; tests pass their own.
   * Without it troupe asks on the terminal (stdin, prompt on stderr) when
   * stdin is one.
   */
  ask?: (question: string) => Promise<string>;
  /** The terminal `troupe ui` draws on and questions are asked on; the process's stdin, stdout and stderr when absent. */
  terminal?: Terminal;
}

/**
 * Run the CLI on `argv` (without node and script) and return the exit code
 * (SPEC §11). Errors print `error[CODE]: message` and `hint: …` on stderr,
 * or `{"error": …}` on stdout with `--json`; a stack only with TROUPE_DEBUG=1.
 */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let selected: Selected | undefined;
  let setsUp = false;
  const program = buildProgram(packageVersion(), (choice, how) => {
    selected = choice;
    setsUp = how?.setsUp === true;
  });
  const captured: string[] = [];
  // commander's own error lines are replaced by ours; help still goes to stdout
  const configure = (command: Command) => {
    command.configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => captured.push(text) });
    command.commands.forEach(configure);
  };
  configure(program);

  const wantsJson = argv.includes('--json');
  const fallbackOut = new Output({ json: wantsJson, stream: false, color: false }, io);
  try {
    await program.parseAsync(globalFlagsAnywhere(argv, program), { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      // `troupe help [command]` asked for the help (exit code 0); `troupe plan` alone did not
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        (error.code === 'commander.help' && error.exitCode === 0)
      )
        return EXIT.ok;
      if (error.code === 'commander.help' || error.code === 'commander.executeSubCommandAsync') {
        // `troupe plan` alone: the help is the answer, but nothing ran
        io.stderr(captured.join(''));
        return EXIT.usage;
      }
      return report(
        fallbackOut,
        io,
        new TroupeError('VALIDATION_ERROR', error.message.replace(/^error: /, ''), { hint: usageHint(program, argv) }),
      );
    }
    return report(fallbackOut, io, error);
  }
  if (!selected) {
    io.stderr(program.helpInformation());
    return EXIT.usage;
  }

  const globals = program.opts<GlobalOptions>();
  const out = new Output(
    {
      json: globals.json === true,
      stream: globals.stream === true,
      color: colorWanted(globals.color, io.isTty, io.env),
      terminal: io.isTty,
    },
    io,
  );
  if (globals.json && globals.stream) {
    return report(
      out,
      io,
      new TroupeError('VALIDATION_ERROR', '--json and --stream cannot be combined', {
        hint: '--json prints one document at the end; --stream prints events as they happen',
      }),
    );
  }
  const dir = resolve(io.cwd, globals.C ?? '.');
  const terminal = io.terminal ?? { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const ask =
    io.ask ??
    (terminal.stdin.isTTY ? askOnTerminal(io.signal, { input: terminal.stdin, output: terminal.stderr }) : undefined);
  // a question needs someone to read it (stdout a terminal) and a way to answer
  const interactive = io.isTty && ask !== undefined;
  let inspector: Inspector | undefined;
  const openSession = async (): Promise<RuntimeSession> => {
    // the commands that drive plans say it themselves when commands run unconfined (warnIfUnconfined), as host or client;
    // a broken plugin refuses only what runs plans: status, list, cancel still work (docs/reference/plugins.md)
    // a problem nobody waits for (a write that failed after the command returned): one line, no stack
    const reportProblem = (message: string, error: unknown) => io.stderr(out.shown(reportLine(message, error, io.env)));
    // a read in a repository troupe never worked in sets nothing up there (no .troupe/, no info/exclude line)
    const existingProject = !setsUp;
    // a PostgreSQL store that goes away is waited for, said in one line each way — or, with --no-wait, fails the command
    const storeOutage = {
      say: (line: string) => io.stderr(out.shown(`troupe: ${line}\n`)),
      ...(globals.wait === false ? { timeoutMs: 0 } : {}),
    };
    const options = {
      dir,
      resume: false,
      warn: () => {},
      report: reportProblem,
      pluginErrors: 'defer' as const,
      existingProject,
      storeOutage,
    };
    if (!inspector) return openRuntime(options);
    const opened = await openRuntime({ ...options, inspect: inspector.inspect });
    if (opened.role === 'client') {
      // the plans run in the process that owns the store: this one would show nothing
      await opened.close();
      throw new TroupeError(
        'VALIDATION_ERROR',
        `--inspect cannot observe plans of ${dir}: another troupe process owns its store and runs them`,
        {
          hint: 'run the command without --inspect, or stop the other troupe command (troupe ui, plan run…) and run this one again with --inspect',
        },
      );
    }
    return opened;
  };
  // calls go to whichever process owns the store, asked again of the next owner when one closes under them
  const session = new CommandSession(openSession);
  const context: CommandContext = {
    out,
    dir,
    signal: io.signal,
    interactive,
    terminal,
    yes: globals.yes === true,
    confirm: async (question) => interactive && isYes(await ask!(out.shown(`${question} [y/N] `))),
    get inspect() {
      return inspector?.inspect;
    },
    runtime: () => session.runtime(),
    lost: () => session.lost(),
    reopen: () => session.reopen(),
  };
  const interrupted = () => void session.close({ force: true });
  io.signal.addEventListener('abort', interrupted);
  try {
    // the bridge before anything runs: a port in use refuses the command, not half of it
    if (globals.inspect !== undefined) {
      const { startInspector } = await import('../runtime/index.js');
      inspector = await startInspector({ port: inspectorPort(globals.inspect) });
      io.stderr(
        `inspector: open ${inspector.url} in a browser (needs internet for stately.ai); raw events on ${inspector.eventsUrl}\n`,
      );
    }
    return await selected(context);
  } catch (error) {
    const code = report(out, io, error);
    // Ctrl-C: the plan stopped with its last step commit; the shell's convention is 130
    return io.signal.aborted ? 130 : code;
  } finally {
    io.signal.removeEventListener('abort', interrupted);
    await session.close({ force: io.signal.aborted }).catch((error: unknown) => report(out, io, error));
    // after the runtime: its last transitions still reach the browser
    await inspector?.close();
  }
}

// `--inspect` alone (made `--inspect=` by globalFlagsAnywhere): the default port; commander hands a given one over as text
function inspectorPort(option: boolean | string): number | undefined {
  if (option === true || option === '') return undefined;
  if (typeof option === 'string' && /^\d{1,5}$/.test(option)) return Number(option);
  throw new TroupeError('VALIDATION_ERROR', `--inspect takes a port number, got ${JSON.stringify(option)}`, {
    hint: 'give a port from 1 to 65535 (--inspect 9000 or --inspect=9000), or --inspect alone for 8080',
  });
}

// a message embeds what it is about — a file name, a command, a model's words — so what reaches stderr is shown escaped (out.shown)
function report(out: Output, io: CliIo, error: unknown): number {
  const troupeError = asTroupeError(error);
  if (out.options.json) {
    const body: SerializedError = troupeError.toJSON();
    io.stdout(`${JSON.stringify({ error: body }, null, 2)}\n`);
  } else if (troupeError instanceof Declined) {
    // a "no" is the user's answer, not a failure: one plain line, the exit code still says it did not happen
    io.stderr(out.shown(`${troupeError.line}\n`));
  } else {
    // the pages a message names are in troupe's package, not in the user's project: say where
    // escaped before the colour goes on: a message cannot pass off a colour sequence as troupe's
    io.stderr(
      out.shown(
        `${out.paint('red', `error[${troupeError.code}]`)}: ${docsPaths(forTerminal(troupeError.message, { multiline: true }))}\n`,
      ),
    );
    if (troupeError.hint)
      io.stderr(out.shown(`hint: ${docsPaths(forTerminal(troupeError.hint, { multiline: true }))}\n`));
  }
  if (io.env.TROUPE_DEBUG === '1') {
    const cause = troupeError.cause ?? error;
    io.stderr(out.shown(`${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}\n`));
  }
  return exitCodeForError(troupeError.code);
}

// the deepest command argv names (skipping options and -C's value), for `… --help`
function usageHint(program: Command, argv: readonly string[]): string {
  const path: string[] = [];
  let command = program;
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === '-C') index += 1;
    if (arg.startsWith('-')) continue;
    const next = command.commands.find((candidate) => candidate.name() === arg);
    if (!next) break;
    path.push(arg);
    command = next;
  }
  return `troupe ${path.length > 0 ? `${path.join(' ')} ` : ''}--help shows the usage`;
}
