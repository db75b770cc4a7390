import { casePattern, shellQuote } from './bash.js';
import type { CompletionModel } from './model.js';
import {
  argumentArms,
  flagArms,
  flagValueArms,
  globalFlagLines,
  planNameFunctions,
  subcommandArms,
  type Arm,
} from './tables.js';

function lookup(name: string, arms: readonly Arm[], subject = '$1'): string {
  const body = arms
    .map((arm) => `    ${casePattern(arm.key)}) printf '%s\\n' ${arm.lines.map(shellQuote).join(' ')} ;;`)
    .join('\n');
  return `${name}() {\n  case ${subject} in\n${body}\n  esac\n}`;
}

/**
 * The zsh completion script of a program, for `compinit`: a `#compdef`
 * file to put in `$fpath`, or a script to source after `compinit`.
 * Subcommands and flags show their descriptions.
 *
 * @example
 * process.stdout.write(zshCompletion(completionModel(program)));
 */
export function zshCompletion(model: CompletionModel): string {
  const name = model.program;
  const fn = `_${name.replace(/[^\w]/g, '_')}`;
  return `#compdef ${name}
# ${name} completion for zsh: commands, flags and plan names (troupe completion zsh)
#   once, in a directory of $fpath:  ${name} completion zsh > "\${fpath[1]}/_${name}"
#   or in ~/.zshrc after compinit:   source <(${name} completion zsh)

${lookup(`${fn}_subcommands`, subcommandArms(model))}

${lookup(`${fn}_own_flags`, flagArms(model))}

${fn}_flags() {
  ${fn}_own_flags "$1"
  printf '%s\\n' ${globalFlagLines(model).map(shellQuote).join(' ')}
}

# "required <completion>", "optional-number <completion>" for a flag that takes a value
${lookup(`${fn}_flag_value`, flagValueArms(model), '"$1 $2"')}

${lookup(`${fn}_argument`, argumentArms(model))}

${planNameFunctions(fn, 2, 'words[1]')}

# "name<TAB>description" lines as _describe wants them: "name:description"
${fn}_described() {
  local line
  local -a items
  for line in "\${(@f)2}"; do
    [[ -n $line ]] && items+=("\${line%%$'\\t'*}:\${line#*$'\\t'}")
  done
  _describe -t "$1" "$1" items
}

${fn}_complete() {
  case $1 in
    plan) compadd -- \${(f)"$(${fn}_plans --all)"} ;;
    open-plan) compadd -- \${(f)"$(${fn}_plans)"} ;;
    plan-or-file) compadd -- \${(f)"$(${fn}_plans)"}; _files -g '*.(yml|yaml|json)' ;;
    plan-file) _files -g '*.(yml|yaml|json)' ;;
    file) _files ;;
    dir) _files -/ ;;
    choices\\ *) compadd -- \${=1#choices } ;;
  esac
}

${fn}() {
  local cur=\${words[CURRENT]} cmdpath='' nargs=0 i word value='' line
  local -a ${fn}_dir subs
  for ((i = 2; i < CURRENT; i++)); do
    word=\${words[i]}
    if [[ $word == -?* ]]; then
      value=$(${fn}_flag_value "$cmdpath" "$word")
      case $value in
        required*)
          [[ $word == -C ]] && ${fn}_dir=(-C "\${words[i+1]}")
          ((i++)) ;;
        optional-number*) [[ \${words[i+1]} == <-> ]] && ((i++)) ;;
      esac
      continue
    fi
    subs=()
    for line in "\${(@f)$(${fn}_subcommands "$cmdpath")}"; do subs+=("\${line%%$'\\t'*}"); done
    if ((nargs == 0 && \${subs[(Ie)$word]} > 0)); then
      cmdpath=\${cmdpath:+$cmdpath }$word
    else
      ((nargs++))
    fi
  done
  # the word is the value of the flag before it
  if ((i > CURRENT)); then
    ${fn}_complete "\${value#* }"
    return 0
  fi
  if [[ $cur == -* ]]; then
    ${fn}_described option "$(${fn}_flags "$cmdpath")"
  elif ((nargs == 0)) && [[ -n $(${fn}_subcommands "$cmdpath") ]]; then
    ${fn}_described command "$(${fn}_subcommands "$cmdpath")"
  else
    ${fn}_complete "$(${fn}_argument "$cmdpath $nargs")"
  fi
  return 0
}

if [[ $funcstack[1] == ${fn} ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${name}
fi
`;
}
