import type { Command } from 'commander';

// What shell completion needs to know about the CLI, read from the commander
// program itself (src/cli/program.ts), so the scripts cannot drift from it.

/** What a word in a given place can be completed with. */
export type Completion =
  | { kind: 'none' }
  /** Any plan, ended ones too (what reads take: status, explain, logs…). */
  | { kind: 'plan' }
  /** A plan that has not ended (what drives or changes one takes: apply, rollback, cancel…). */
  | { kind: 'open-plan' }
  /** `plan run <plan|file>`: a plan that has not ended, or a plan file. */
  | { kind: 'plan-or-file' }
  /** A YAML or JSON file. */
  | { kind: 'plan-file' }
  | { kind: 'file' }
  | { kind: 'dir' }
  | { kind: 'choices'; values: string[] };

/** A flag of a command, as completion sees it. */
export interface CompletionFlag {
  /** Its spellings: `--version`, `-v`. */
  names: string[];
  description: string;
  /** Whether the next word is its value: always, only when it is a number (`--inspect [port]`), or never. */
  value: 'required' | 'optional-number' | 'none';
  completion: Completion;
}

/** One command of the CLI (the program itself has the path ''). */
export interface CompletionCommand {
  /** Its words after `troupe`: `plan new`. */
  path: string;
  subcommands: { name: string; description: string }[];
  /** Its own flags; the global ones are {@link CompletionModel.globals}. */
  flags: CompletionFlag[];
  /** Its positional arguments in order; a variadic one (last) repeats. */
  args: { name: string; variadic: boolean; completion: Completion }[];
}

/** Every command, and the flags that may stand anywhere. */
export interface CompletionModel {
  program: string;
  globals: CompletionFlag[];
  commands: CompletionCommand[];
}

// an argument or a flag's value, by its name in the program: what it is in the user's words
const BY_NAME: Record<string, Completion> = {
  plan: { kind: 'plan' },
  file: { kind: 'file' },
  path: { kind: 'file' },
  dir: { kind: 'dir' },
};
// the few places where a name means more than it says
// a command that refuses a plan that has ended is offered only the open ones
const OPEN_PLAN: Completion = { kind: 'open-plan' };
const BY_PLACE: Record<string, Completion> = {
  ...Object.fromEntries(
    ['finish', 'strategize', 'execute', 'validate', 'apply', 'resolve', 'cancel', 'rollback', 'correct', 'resume'].map(
      (command) => [`plan ${command} <plan>`, OPEN_PLAN],
    ),
  ),
  'plan run <plan>': { kind: 'plan-or-file' },
  'plan new <file>': { kind: 'plan-file' },
  'project add <path>': { kind: 'dir' },
};

/**
 * The completion model of a commander program: its commands, their flags
 * and arguments, and the global flags. Help commands and hidden flags are
 * left out.
 *
 * @example
 * const model = completionModel(buildProgram(version, () => {}));
 * model.commands.find((command) => command.path === 'plan')?.subcommands.map((sub) => sub.name); // ['new', 'list', …]
 */
export function completionModel(program: Command): CompletionModel {
  const commands: CompletionCommand[] = [];
  const visit = (command: Command, path: string) => {
    const visible = command.commands.filter((sub) => sub.name() !== 'help');
    commands.push({
      path,
      subcommands: visible.map((sub) => ({ name: sub.name(), description: sub.description() })),
      flags: path === '' ? [] : flagsOf(command, path),
      args: command.registeredArguments.map((argument) => ({
        name: argument.name(),
        variadic: argument.variadic,
        completion: argument.argChoices
          ? { kind: 'choices', values: [...argument.argChoices] }
          : (BY_PLACE[`${path} <${argument.name()}>`] ?? BY_NAME[argument.name()] ?? { kind: 'none' }),
      })),
    });
    for (const sub of visible) visit(sub, path === '' ? sub.name() : `${path} ${sub.name()}`);
  };
  visit(program, '');
  const globals: CompletionFlag[] = [
    ...flagsOf(program, ''),
    { names: ['--help', '-h'], description: 'print the usage', value: 'none', completion: { kind: 'none' } },
  ];
  return { program: program.name(), globals, commands };
}

function flagsOf(command: Command, path: string): CompletionFlag[] {
  return command.options
    .filter((option) => !option.hidden)
    .map((option) => {
      const names = [option.long, option.short].filter((name): name is string => name !== undefined);
      // `-C <dir>`, `--use <path>`: the word between <> says what the value is
      const valueName = /[<[]([\w-]+)/.exec(option.flags)?.[1] ?? '';
      const completion: Completion = option.argChoices
        ? { kind: 'choices', values: [...option.argChoices] }
        : option.required || option.optional
          ? (BY_PLACE[`${path} <${valueName}>`] ?? BY_NAME[valueName] ?? { kind: 'none' })
          : { kind: 'none' };
      return {
        names,
        description: option.description,
        value: option.required ? 'required' : option.optional ? 'optional-number' : 'none',
        completion,
      };
    });
}
