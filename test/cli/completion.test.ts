import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completionModel } from '../../src/cli/completion/model.js';
import { buildProgram } from '../../src/cli/program.js';
import { tempDir, tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

// `troupe completion bash|zsh|fish` (issue 18, item 11): each script is made
// from the commander program and tried in a real shell — bash's `complete`,
// zsh's compinit (its completion widgets stand-in), fish's `complete -C`.

const ROOT = resolve(import.meta.dirname, '../..');
const program = buildProgram('0.0.0', () => {});

const has = (shell: string): boolean => {
  try {
    execFileSync(shell, ['-c', 'exit 0'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const inCi = Boolean(process.env.CI && process.env.CI !== '0' && process.env.CI !== 'false');
const shells = { bash: has('bash'), zsh: has('zsh'), fish: has('fish') };

let project: string;
let elsewhere: string;
let bin: string;
const scripts: Record<string, string> = {};
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const repo = await tempRepo({ 'README.md': '# project\n' });
  const other = await tempDir();
  cleanups.push(repo.cleanup, other.cleanup);
  project = repo.dir;
  elsewhere = other.dir;
  writeFileSync(join(project, 'plan.yaml'), 'name: demo/file\ngoal: g\n');
  writeFileSync(join(project, 'notes.txt'), 'not a plan\n');
  for (const name of ['demo/alpha', 'demo/beta', 'demo/gone'])
    expect((await runCli(project, ['plan', 'new', '--name', name, '--goal', 'g'])).code).toBe(0);
  // an ended plan: offered to what reads plans, not to what drives or changes them
  expect((await runCli(project, ['plan', 'cancel', 'demo/gone'])).code).toBe(0);
  // `troupe` on PATH runs this checkout, as an installed one would
  bin = join(elsewhere, 'bin');
  mkdirSync(bin);
  writeFileSync(
    join(bin, 'troupe'),
    `#!/bin/sh\nexec "${process.execPath}" --import "${pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href}" "${join(ROOT, 'src/cli/bin.ts')}" "$@"\n`,
  );
  chmodSync(join(bin, 'troupe'), 0o755);
  for (const shell of ['bash', 'zsh', 'fish']) {
    const result = await runCli(project, ['completion', shell]);
    expect(result.code).toBe(0);
    scripts[shell] = join(elsewhere, `troupe.${shell}`);
    writeFileSync(scripts[shell]!, result.stdout);
  }
}, 60_000);
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function run(shell: string, script: string, cwd = project): string {
  return execFileSync(
    shell,
    shell === 'fish'
      ? ['--no-config', '-c', script]
      : shell === 'zsh'
        ? ['-f', '-c', script]
        : ['--norc', '--noprofile', '-c', script],
    {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        PATH: `${bin}:${process.env.PATH}`,
        HOME: elsewhere,
        XDG_CONFIG_HOME: join(elsewhere, 'config'),
        XDG_DATA_HOME: join(elsewhere, 'data'),
      },
      timeout: 60_000,
    },
  );
}

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

describe('troupe completion', () => {
  it.each(['bash', 'zsh', 'fish'])(
    'prints the %s script on stdout, and it as {shell, script} with --json',
    async (shell) => {
      const result = await runCli(elsewhere, ['completion', shell]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`troupe completion for ${shell}`));
      const json = await runCli(elsewhere, ['completion', shell, '--json']);
      expect(JSON.parse(json.stdout)).toEqual({ shell, script: result.stdout.replace(/\n$/, '') + '\n' });
    },
  );

  it('refuses a shell it does not know with VALIDATION_ERROR naming the argument, exit 2', async () => {
    const result = await runCli(elsewhere, ['completion', 'tcsh']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error\[VALIDATION_ERROR\]: command-argument value 'tcsh' is invalid for argument 'shell'\. Allowed choices are bash, zsh, fish\.\nhint: troupe completion --help shows the usage\n$/,
    );
  });

  it('knows every command, argument and flag of the program', () => {
    const model = completionModel(program);
    const walk = (command: Command, path: string): string[] =>
      command.commands.flatMap((sub) => {
        const subPath = path ? `${path} ${sub.name()}` : sub.name();
        return [subPath, ...walk(sub, subPath)];
      });
    const paths = walk(program, '');
    expect(model.commands.map((command) => command.path).sort()).toEqual(['', ...paths].sort());
    for (const path of paths) {
      const command = path
        .split(' ')
        .reduce<Command>((at, name) => at.commands.find((sub) => sub.name() === name)!, program);
      const modelled = model.commands.find((candidate) => candidate.path === path)!;
      expect(modelled.flags.flatMap((flag) => flag.names).sort()).toEqual(
        command.options.flatMap((option) => [option.long, option.short].filter(Boolean)).sort(),
      );
      expect(modelled.args.map((arg) => arg.name)).toEqual(command.registeredArguments.map((arg) => arg.name()));
    }
    expect(model.globals.flatMap((flag) => flag.names)).toEqual(
      expect.arrayContaining([
        '--json',
        '--stream',
        '-C',
        '--no-color',
        '--yes',
        '--inspect',
        '--version',
        '-v',
        '--help',
        '-h',
      ]),
    );
    const kinds = Object.fromEntries(
      model.commands.flatMap((command) => command.args.map((arg) => [`${command.path} <${arg.name}>`, arg.completion])),
    );
    expect(kinds).toMatchObject({
      'plan status <plan>': { kind: 'plan' },
      'plan run <plan>': { kind: 'plan-or-file' },
      'plan new <file>': { kind: 'plan-file' },
      'plan resolve <file>': { kind: 'file' },
      'project add <path>': { kind: 'dir' },
      'completion <shell>': { kind: 'choices', values: ['bash', 'zsh', 'fish'] },
    });
  });
});

describe('each script', () => {
  // the shell's own parser, without running anything: bash -n, zsh -n, fish --no-execute (CI has all three: see "is run in CI")
  const parse = { bash: ['--norc', '--noprofile', '-n'], zsh: ['-f', '-n'], fish: ['--no-config', '--no-execute'] };
  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    it.skipIf(!shells[shell])(`parses in ${shell}`, () => {
      expect(() =>
        execFileSync(shell, [...parse[shell], scripts[shell]!], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }),
      ).not.toThrow();
    });
  }
});

const CASES: [string[], string[]][] = [
  [['troupe', 'pl'], ['plan']],
  [
    ['troupe', 'plan', 'st'],
    ['status', 'strategize'],
  ],
  [['troupe', 'checkpoint', 'p'], ['prune']],
  [['troupe', 'plan', 'new', '--automation', 'r'], ['review']],
  [
    ['troupe', 'plan', 'apply', 'x', '--strategy', 't'],
    ['theirs', 'three-way'],
  ],
  [['troupe', '--inspect', 'plan', 'li'], ['list']],
  [['troupe', '--inspect', '9000', 'plan', 'li'], ['list']],
  [['troupe', 'plan', 'status', '--w'], ['--watch']],
  [['troupe', 'plan', 'list', '--js'], ['--json']],
  [
    ['troupe', 'completion', ''],
    ['bash', 'fish', 'zsh'],
  ],
  [
    ['troupe', 'plan', 'status', ''],
    ['demo/alpha', 'demo/beta', 'demo/gone'],
  ],
  [
    ['troupe', 'plan', 'apply', ''],
    ['demo/alpha', 'demo/beta'],
  ],
  [
    ['troupe', 'plan', 'rollback', ''],
    ['demo/alpha', 'demo/beta'],
  ],
  [
    ['troupe', 'plan', 'cancel', ''],
    ['demo/alpha', 'demo/beta'],
  ],
];

describe('the bash script', () => {
  it('is run in CI', () => {
    if (inCi) expect(shells.bash, 'bash must be installed in CI').toBe(true);
  });

  const complete = (words: string[], cwd = project): string[] => {
    const output = run(
      'bash',
      `source ${quote(scripts.bash!)}
COMP_WORDS=(${words.map(quote).join(' ')}); COMP_CWORD=${words.length - 1}; COMPREPLY=(); _troupe
printf '%s\\n' "\${COMPREPLY[@]}"`,
      cwd,
    );
    return output.split('\n').filter(Boolean).sort();
  };

  it.skipIf(!shells.bash)('registers _troupe for troupe', () => {
    expect(run('bash', `source ${quote(scripts.bash!)}; complete -p troupe`).trim()).toBe('complete -F _troupe troupe');
  });

  it.skipIf(!shells.bash).each(CASES)('completes %j', (words, expected) => {
    expect(complete(words)).toEqual(expected);
  });

  it.skipIf(!shells.bash)('offers plans and plan files (and folders), not other files, for plan run', () => {
    const candidates = complete(['troupe', 'plan', 'run', '']);
    expect(candidates).toEqual(expect.arrayContaining(['demo/alpha', 'demo/beta', 'plan.yaml', '.troupe']));
    expect(candidates).not.toContain('notes.txt');
  });

  it.skipIf(!shells.bash)('names plans of the project -C names, and asks nothing outside a project', () => {
    expect(complete(['troupe', '-C', project, 'plan', 'status', 'demo/a'], elsewhere)).toEqual(['demo/alpha']);
    expect(complete(['troupe', 'plan', 'status', ''], elsewhere)).toEqual([]);
    // asking would have made it a project
    expect(existsSync(join(elsewhere, '.troupe'))).toBe(false);
  });

  it.skipIf(!shells.bash)('completes directories after -C', () => {
    mkdirSync(join(project, 'subdir'), { recursive: true });
    expect(complete(['troupe', '-C', 'sub'])).toEqual(['subdir']);
  });
});

describe('the zsh script', () => {
  it('is run in CI', () => {
    if (inCi) expect(shells.zsh, 'zsh must be installed in CI (.ci/run installs it)').toBe(true);
  });

  it.skipIf(!shells.zsh)('registers _troupe with compinit', () => {
    const output = run(
      'zsh',
      `autoload -U compinit && compinit -u -d ${quote(join(elsewhere, 'zcompdump'))}; source ${quote(scripts.zsh!)}; print -r -- $_comps[troupe]`,
    );
    expect(output.trim()).toBe('_troupe');
  });

  // compadd, _describe and _files only work inside a completion widget: stand-ins print what they were given
  const complete = (words: string[], cwd = project): string[] => {
    const output = run(
      'zsh',
      `compadd() { [[ $1 == -- ]] && shift; print -rl -- "$@"; }
_describe() { local item; for item in "\${(@P)4}"; do print -r -- "\${item%%:*}"; done; }
_files() { print -r -- "files:$*"; }
compdef() { :; }
source ${quote(scripts.zsh!)}
words=(${words.map(quote).join(' ')}); CURRENT=${words.length}; _troupe`,
      cwd,
    );
    return output.split('\n').filter(Boolean).sort();
  };

  it.skipIf(!shells.zsh).each(CASES)('completes %j', (words, expected) => {
    // the stand-in lists every candidate; zsh itself keeps those that match the word
    const word = words.at(-1)!;
    const candidates = complete(words).filter(
      (candidate) => !candidate.startsWith('files:') && candidate.startsWith(word),
    );
    expect(candidates).toEqual(expected);
  });

  it.skipIf(!shells.zsh)('offers plans and plan files, not every file, for plan run and plan new', () => {
    expect(complete(['troupe', 'plan', 'run', ''])).toEqual(['demo/alpha', 'demo/beta', 'files:-g *.(yml|yaml|json)']);
    expect(complete(['troupe', 'plan', 'new', ''])).toEqual(['files:-g *.(yml|yaml|json)']);
  });
});

describe('the fish script', () => {
  it('is run in CI', () => {
    if (inCi) expect(shells.fish, 'fish must be installed in CI (.ci/run installs it)').toBe(true);
  });

  const complete = (words: string[], cwd = project): string[] => {
    const line = words.map((word, index) => (index === words.length - 1 && word === '' ? '' : word)).join(' ');
    const output = run('fish', `source ${quote(scripts.fish!)}; complete -C${quote(line)}`, cwd);
    return output
      .split('\n')
      .filter(Boolean)
      .map((candidate) => candidate.split('\t')[0]!)
      .sort();
  };

  it.skipIf(!shells.fish).each(CASES)('completes %j', (words, expected) => {
    expect(complete(words)).toEqual(expected);
  });

  it.skipIf(!shells.fish)('offers plans and plan files (and folders), not other files, for plan run', () => {
    const candidates = complete(['troupe', 'plan', 'run', '']);
    expect(candidates).toEqual(expect.arrayContaining(['demo/alpha', 'demo/beta', 'plan.yaml']));
    expect(candidates).not.toContain('notes.txt');
  });

  it.skipIf(!shells.fish)('shows what each command does', () => {
    const output = run('fish', `source ${quote(scripts.fish!)}; complete -C'troupe plan sta'`);
    expect(output).toContain('status\tthe plan record: phase, status, steps, sandbox, error');
  });

  it.skipIf(!shells.fish)('names plans of the project -C names, and asks nothing outside a project', () => {
    expect(complete(['troupe', '-C', project, 'plan', 'status', 'demo/b'], elsewhere)).toEqual(['demo/beta']);
    expect(complete(['troupe', 'plan', 'status', ''], elsewhere)).toEqual([]);
    expect(existsSync(join(elsewhere, '.troupe'))).toBe(false);
  });
});
