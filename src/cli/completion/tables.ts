import type { Completion, CompletionCommand, CompletionFlag, CompletionModel } from './model.js';

// The model as the few lookups every shell script makes, each a `case` on the
// command path: the scripts differ in syntax, not in what they know.

/** A completion as one word list: `plan`, `dir`, `choices manual review auto`. */
export function completionWords(completion: Completion): string {
  return completion.kind === 'choices' ? `choices ${completion.values.join(' ')}` : completion.kind;
}

/** How a flag's value is read and completed: `required dir`, `optional-number none`, `none`. */
export function flagValueWords(flag: CompletionFlag): string {
  return flag.value === 'none' ? 'none' : `${flag.value} ${completionWords(flag.completion)}`;
}

/** One arm of a lookup: the command path (and more) it answers for, and the lines it prints. */
export interface Arm {
  key: string;
  lines: string[];
}

/** `path` → its subcommands, `name<TAB>description`. */
export function subcommandArms(model: CompletionModel): Arm[] {
  return model.commands
    .filter((command) => command.subcommands.length > 0)
    .map((command) => ({
      key: command.path,
      lines: command.subcommands.map((sub) => `${sub.name}\t${oneLine(sub.description)}`),
    }));
}

/** `path` → its own flags, `flag<TAB>description` (the global ones are {@link globalFlagLines}). */
export function flagArms(model: CompletionModel): Arm[] {
  return model.commands
    .filter((command) => command.flags.length > 0)
    .map((command) => ({ key: command.path, lines: flagLines(command.flags) }));
}

/** The flags every command takes, `flag<TAB>description`. */
export function globalFlagLines(model: CompletionModel): string[] {
  return flagLines(model.globals);
}

function flagLines(flags: readonly CompletionFlag[]): string[] {
  return flags.flatMap((flag) => flag.names.map((name) => `${name}\t${oneLine(flag.description)}`));
}

/**
 * A `case` pattern for `key` in a shell whose quoting `quote` does: the
 * words quoted, a `*` word a wildcard (`'plan new '*`, `*' -C'`).
 */
export function casePatternWith(key: string, quote: (text: string) => string): string {
  let out = '';
  let literal = '';
  key.split(' ').forEach((part, index) => {
    const separator = index > 0 ? ' ' : '';
    if (part !== '*') {
      literal += separator + part;
      return;
    }
    literal += separator;
    if (literal !== '') out += quote(literal);
    literal = '';
    out += '*';
  });
  if (literal !== '' || out === '') out += quote(literal);
  return out;
}

/** `path flag` → {@link flagValueWords}, for every flag that takes a value (globals under the path `*`). */
export function flagValueArms(model: CompletionModel): Arm[] {
  const arms: Arm[] = [];
  const add = (path: string, flags: readonly CompletionFlag[]) => {
    for (const flag of flags)
      if (flag.value !== 'none')
        for (const name of flag.names) arms.push({ key: `${path} ${name}`, lines: [flagValueWords(flag)] });
  };
  for (const command of model.commands) add(command.path, command.flags);
  add('*', model.globals);
  return arms;
}

/** `path index` → {@link completionWords} of the argument at that index (a variadic last one under `path *`). */
export function argumentArms(model: CompletionModel): Arm[] {
  return model.commands.flatMap((command: CompletionCommand) =>
    command.args.map((arg, index) => ({
      key: `${command.path} ${arg.variadic ? '*' : String(index)}`,
      lines: [completionWords(arg.completion)],
    })),
  );
}

// a description on one line, without the characters the scripts quote with
function oneLine(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/[`$\\]/g, '')
    .trim();
}

/**
 * The `<fn>_project` and `<fn>_plans` functions bash and zsh share: plan
 * names come from `troupe plan list [--all] --json` (`<fn>_plans --all`:
 * ended plans too), asked only inside a
 * troupe project (asking elsewhere would make one). The shells differ in
 * the index of the `-C` directory in the script's `<fn>_dir` array
 * (`first`: bash counts from 0, zsh from 1) and in the word that holds the
 * command's own name (`command`).
 */
export function planNameFunctions(fn: string, first: number, command: string): string {
  return `# whether the directory (or one above it) is a troupe project: asking elsewhere would make it one
${fn}_project() {
  local dir=\${1:-$PWD}
  [[ $dir == /* ]] || dir=$PWD/$dir
  while [[ -n $dir ]]; do
    [[ -d $dir/.troupe ]] && return 0
    dir=\${dir%/*}
  done
  return 1
}

# plan names, quietly: nothing when there is no project or troupe fails; --all: ended ones too
${fn}_plans() {
  ${fn}_project "\${${fn}_dir[${first}]}" || return 0
  "\${${command}}" "\${${fn}_dir[@]}" plan list $1 --json 2>/dev/null | sed -n 's/^    "name": "\\([^"]*\\)",\\{0,1\\}$/\\1/p'
}`;
}
