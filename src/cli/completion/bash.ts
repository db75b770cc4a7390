import type { CompletionModel } from './model.js';
import {
  argumentArms,
  casePatternWith,
  flagArms,
  flagValueArms,
  globalFlagLines,
  planNameFunctions,
  subcommandArms,
  type Arm,
} from './tables.js';

/** `'it'\''s'`: a word for any POSIX shell. */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** A bash or zsh `case` pattern for a lookup key. */
export function casePattern(key: string): string {
  return casePatternWith(key, shellQuote);
}

function lookup(name: string, arms: readonly Arm[]): string {
  const body = arms
    .map((arm) => `    ${casePattern(arm.key)}) printf '%s\\n' ${arm.lines.map(shellQuote).join(' ')} ;;`)
    .join('\n');
  return `${name}() {\n  case $1 in\n${body}\n  esac\n}`;
}

/**
 * The bash completion script of a program: `complete -F _troupe troupe`.
 * Commands, subcommands and flags come from the model; plan names from
 * `troupe plan list --all --json` when the directory is a troupe project.
 *
 * @example
 * process.stdout.write(bashCompletion(completionModel(program)));
 */
export function bashCompletion(model: CompletionModel): string {
  const name = model.program;
  const fn = `_${name.replace(/[^\w]/g, '_')}`;
  return `# ${name} completion for bash: commands, flags and plan names (troupe completion bash)
#   in ~/.bashrc:  source <(${name} completion bash)
#   or once:       ${name} completion bash > ~/.local/share/bash-completion/completions/${name}

${lookup(`${fn}_subcommands`, subcommandArms(model))}

${lookup(`${fn}_own_flags`, flagArms(model))}

${fn}_flags() {
  ${fn}_own_flags "$1"
  printf '%s\\n' ${globalFlagLines(model).map(shellQuote).join(' ')}
}

# "required <completion>", "optional-number <completion>" for a flag that takes a value
${fn}_flag_value() {
  case "$1 $2" in
${flagValueArms(model)
  .map((arm) => `    ${casePattern(arm.key)}) printf '%s\\n' ${arm.lines.map(shellQuote).join(' ')} ;;`)
  .join('\n')}
  esac
}

${lookup(`${fn}_argument`, argumentArms(model))}

# the first field of each line
${fn}_names() {
  local line
  while IFS= read -r line; do printf '%s\\n' "\${line%%$'\\t'*}"; done
}

${planNameFunctions(fn, 1, 'COMP_WORDS[0]')}

${fn}_reply() {
  local IFS=$'\n'
  COMPREPLY+=($(compgen -W "$1" -- "$cur"))
}

# files (-f) or directories (-d), spaces and all
${fn}_files() {
  local IFS=$'\n'
  compopt -o filenames 2>/dev/null
  COMPREPLY+=($(compgen "$1" -- "$cur"))
}

# directories, and files a plan file can be
${fn}_plan_files() {
  local IFS=$'\n' suffix
  compopt -o filenames 2>/dev/null
  COMPREPLY+=($(compgen -d -- "$cur"))
  for suffix in yml yaml json; do COMPREPLY+=($(compgen -f -X "!*.$suffix" -- "$cur")); done
}

${fn}_complete() {
  case $1 in
    plan) ${fn}_reply "$(${fn}_plans --all)" ;;
    open-plan) ${fn}_reply "$(${fn}_plans)" ;;
    plan-or-file) ${fn}_reply "$(${fn}_plans)"; ${fn}_plan_files ;;
    plan-file) ${fn}_plan_files ;;
    file) ${fn}_files -f ;;
    dir) ${fn}_files -d ;;
    choices\\ *) ${fn}_reply "$(printf '%s\\n' \${1#choices })" ;;
  esac
}

${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} cmdpath='' nargs=0 i word value=''
  local -a ${fn}_dir=()
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    if [[ $word == -?* ]]; then
      value=$(${fn}_flag_value "$cmdpath" "$word")
      case $value in
        required*)
          [[ $word == -C ]] && ${fn}_dir=(-C "\${COMP_WORDS[i+1]}")
          ((i++)) ;;
        optional-number*) [[ \${COMP_WORDS[i+1]} =~ ^[0-9]+$ ]] && ((i++)) ;;
      esac
      continue
    fi
    if ((nargs == 0)) && ${fn}_subcommands "$cmdpath" | ${fn}_names | grep -qxF -- "$word"; then
      cmdpath=\${cmdpath:+$cmdpath }$word
    else
      ((nargs++))
    fi
  done
  # the word is the value of the flag before it
  if ((i > COMP_CWORD)); then
    value=\${value#* }
    ${fn}_complete "$value"
    return 0
  fi
  if [[ $cur == -* ]]; then
    ${fn}_reply "$(${fn}_flags "$cmdpath" | ${fn}_names)"
  elif ((nargs == 0)) && [[ -n $(${fn}_subcommands "$cmdpath") ]]; then
    ${fn}_reply "$(${fn}_subcommands "$cmdpath" | ${fn}_names)"
  else
    ${fn}_complete "$(${fn}_argument "$cmdpath $nargs")"
  fi
  return 0
}

complete -F ${fn} ${name}
`;
}
