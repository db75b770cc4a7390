import type { CompletionModel } from './model.js';
import { argumentArms, flagArms, flagValueArms, globalFlagLines, subcommandArms, type Arm } from './tables.js';

/** `'it\'s'`: a word for fish. */
function fishQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

// fish matches a quoted case's `*` as a wildcard (unquoted, it would glob file names)
function casePattern(key: string): string {
  return fishQuote(key);
}

function lookup(name: string, arms: readonly Arm[], subject = '"$argv[1]"'): string {
  const body = arms
    .map(
      (arm) => `        case ${casePattern(arm.key)}\n            printf '%s\\n' ${arm.lines.map(fishQuote).join(' ')}`,
    )
    .join('\n');
  return `function ${name}\n    switch ${subject}\n${body}\n    end\nend`;
}

/**
 * The fish completion script of a program: one `complete` whose candidates
 * (with descriptions) a function works out from the command line.
 *
 * @example
 * process.stdout.write(fishCompletion(completionModel(program)));
 */
export function fishCompletion(model: CompletionModel): string {
  const name = model.program;
  const fn = `__${name.replace(/[^\w]/g, '_')}`;
  return `# ${name} completion for fish: commands, flags and plan names (troupe completion fish)
#   once:              ${name} completion fish > ~/.config/fish/completions/${name}.fish
#   or for one shell:  ${name} completion fish | source

${lookup(`${fn}_subcommands`, subcommandArms(model))}

${lookup(`${fn}_own_flags`, flagArms(model))}

function ${fn}_flags
    ${fn}_own_flags "$argv[1]"
    printf '%s\\n' ${globalFlagLines(model).map(fishQuote).join(' ')}
end

# "required <completion>", "optional-number <completion>" for a flag that takes a value
${lookup(`${fn}_flag_value`, flagValueArms(model), '"$argv[1] $argv[2]"')}

${lookup(`${fn}_argument`, argumentArms(model))}

# whether the directory (or one above it) is a troupe project: asking elsewhere would make it one
function ${fn}_project --argument-names dir
    test -n "$dir"; or set dir $PWD
    string match -q -- '/*' $dir; or set dir $PWD/$dir
    while test -n "$dir"
        test -d "$dir/.troupe"; and return 0
        set dir (string replace -r -- '/[^/]*$' '' $dir)
    end
    return 1
end

# plan names, quietly: nothing when there is no project or troupe fails; all (--all): ended ones too
function ${fn}_plans --argument-names program dir all
    ${fn}_project "$dir"; or return 0
    set -l where
    test -n "$dir"; and set where -C $dir
    $program $where plan list $all --json 2>/dev/null | string replace -rf -- '^    "name": "([^"]*)",?$' '$1'
end

# directories, and files a plan file can be
function ${fn}_plan_files --argument-names cur
    __fish_complete_path $cur | string match -r -- '^[^\t]*(?:\\.ya?ml|\\.json|/)(?:\t.*)?$'
end

function ${fn}_complete_kind --argument-names kind program dir
    set -l cur (commandline -ct)
    switch $kind
        case plan
            ${fn}_plans $program "$dir" --all
        case open-plan
            ${fn}_plans $program "$dir"
        case plan-or-file
            ${fn}_plans $program "$dir"
            ${fn}_plan_files $cur
        case plan-file
            ${fn}_plan_files $cur
        case file
            __fish_complete_path $cur
        case dir
            __fish_complete_directories $cur
        case 'choices *'
            string split ' ' -- (string replace -- 'choices ' '' $kind)
    end
end

function ${fn}_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmdpath ''
    set -l nargs 0
    set -l dir ''
    set -l value ''
    set -l i 2
    while test $i -le (count $words)
        set -l word $words[$i]
        if string match -qr -- '^-.' $word
            set value (${fn}_flag_value "$cmdpath" $word)
            switch "$value"
                case 'required*'
                    set i (math $i + 1)
                    if test "$word" = -C; and test $i -le (count $words)
                        set dir $words[$i]
                    end
                    if test $i -gt (count $words)
                        # the word is the value of this flag
                        ${fn}_complete_kind (string replace -r -- '^\\S+ ' '' $value) $words[1] "$dir"
                        return
                    end
                case 'optional-number*'
                    set -l next (math $i + 1)
                    if test $next -le (count $words); and string match -qr -- '^[0-9]+$' $words[$next]
                        set i $next
                    end
            end
        else if test $nargs -eq 0; and contains -- $word (${fn}_subcommands "$cmdpath" | string replace -r -- '\\t.*' '')
            set cmdpath (string trim -- "$cmdpath $word")
        else
            set nargs (math $nargs + 1)
        end
        set i (math $i + 1)
    end
    set -l subs (${fn}_subcommands "$cmdpath")
    if string match -q -- '-*' $cur
        ${fn}_flags "$cmdpath"
    else if test $nargs -eq 0; and test (count $subs) -gt 0
        printf '%s\n' $subs
    else
        ${fn}_complete_kind (${fn}_argument "$cmdpath $nargs") $words[1] "$dir"
    end
end

complete -c ${name} -e
complete -c ${name} -f -a '(${fn}_complete)'
`;
}
