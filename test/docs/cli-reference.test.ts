import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { codeSpans, fencedLines, section, sections } from './markdown.js';

// docs/reference/cli.md against the commander definition (issue 7): every command has
// its section, every flag is documented where the command is, and the page
// names no command or flag the CLI does not have.

interface Defined {
  path: string;
  command: Command;
  /** Long flags, or the short one when there is no long one (`-C`). */
  flags: string[];
}

const doc = readFileSync(new URL('../../docs/reference/cli.md', import.meta.url), 'utf8');
const all = sections(doc);
const program = buildProgram('0.0.0', () => {});
const globalFlags = section(all, 'Global flags').text;

function defined(command: Command, path: string[] = []): Defined[] {
  return command.commands.flatMap((sub) => {
    const subPath = [...path, sub.name()];
    return [
      { path: subPath.join(' '), command: sub, flags: sub.options.map((option) => option.long ?? option.short!) },
      ...defined(sub, subPath),
    ];
  });
}

const commands = defined(program);
const leaves = commands.filter(({ command }) => command.commands.length === 0);

/** A command line as the page writes it: the command paths it names and its flags. */
interface Invocation {
  source: string;
  paths: string[];
  flags: string[];
}

// reads `troupe [globals] plan strategize|execute <plan> [--to <checkpoint>] --ours|--theirs`
function invocation(source: string, line: string): Invocation {
  const tokens = line.trim().split(/\s+/);
  const flags: string[] = [];
  let paths: string[][] = [[]];
  let node: Command | null = program;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!;
    const parts = token.replace(/^[[(]+|[\])]+$/g, '').split('|');
    if (parts.some((part) => part.startsWith('-'))) {
      for (const part of parts) if (part.startsWith('-')) flags.push(part.split('=')[0]!);
      const global =
        node === null ? undefined : program.options.find((option) => option.long === token || option.short === token);
      // a global flag's value is not a command: `-C dir plan run`, `--inspect 9000 plan run`
      if (global?.required || (global?.optional && /^\d+$/.test(tokens[index + 1] ?? ''))) index++;
      continue;
    }
    if (node === null || node.commands.length === 0 || !/^[a-z][a-z-]*(\|[a-z][a-z-]*)*$/.test(token)) {
      node = null;
      continue;
    }
    const names = token.split('|');
    paths = paths.flatMap((path) => names.map((name) => [...path, name]));
    const children: Command[] = names
      .map((name) => node!.commands.find((sub) => sub.name() === name))
      .filter((sub) => sub !== undefined);
    node = names.length === 1 && children.length === 1 ? children[0]! : null;
  }
  return { source, paths: paths.filter((path) => path.length > 0).map((path) => path.join(' ')), flags };
}

/** Every command line on the page: headings, the synopsis, inline code (`troupe plan run`, `plan run`), `$ troupe` lines and the next:/hint:/undo: lines of sample output. */
function invocations(): Invocation[] {
  const found: Invocation[] = [];
  const topLevel = new Set(program.commands.map((command) => command.name()));
  for (const span of codeSpans(doc)) {
    // `troupe plan run x`, and the short form tables use: `plan rollback --to`, `checkpoint prune <plan> --keep <n>`
    if (span.startsWith('troupe ')) found.push(invocation(`\`${span}\``, span.slice('troupe '.length)));
    else if (topLevel.has(span.split(' ')[0]!)) found.push(invocation(`\`${span}\``, span));
  }
  const synopsis = fencedLines(section(all, 'Synopsis').text).filter((line) => line.startsWith('troupe '));
  for (const line of synopsis) found.push(invocation(line, line.slice('troupe '.length)));
  for (const line of fencedLines(doc)) {
    if (!/^(?:\$ |(?:next|hint|undo): )/.test(line)) continue;
    // one line may chain commands (`; echo`, `&&`) or name several (`next: a  (b shows …)`)
    for (const segment of line.split(/&&|;|\(|\)|\s{2,}/)) {
      const at = segment.indexOf('troupe ');
      if (at >= 0) found.push(invocation(line, segment.slice(at + 'troupe '.length)));
    }
  }
  return found;
}

/** The sections whose heading names commands, with the command paths each names. */
function commandSections(): { paths: string[]; text: string; title: string }[] {
  return all
    .map((candidate) => ({
      title: candidate.title,
      text: candidate.text,
      paths: codeSpans(candidate.title)
        .filter((span) => span.startsWith('troupe '))
        .flatMap((span) => invocation(span, span.slice('troupe '.length)).paths),
    }))
    .filter((candidate) => candidate.paths.length > 0);
}

function mentions(text: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w-])${escaped}(?![\\w-])`).test(text);
}

describe('docs/reference/cli.md', () => {
  it('reads the commands of the program', () => {
    // guards the parsing below against an empty program or page
    expect(leaves.map(({ path }) => path)).toEqual(
      expect.arrayContaining(['init', 'plan rollback', 'checkpoint prune', 'events']),
    );
    expect(commandSections().length).toBeGreaterThan(10);
    expect(invocations().length).toBeGreaterThan(50);
  });

  it('has a section for every command', () => {
    const documented = new Set(commandSections().flatMap(({ paths }) => paths));
    expect(leaves.map(({ path }) => path).filter((path) => !documented.has(path))).toEqual([]);
  });

  it('lists every command in the synopsis', () => {
    const synopsis = fencedLines(section(all, 'Synopsis').text).filter((line) => line.startsWith('troupe '));
    expect(synopsis.length).toBeGreaterThan(10);
    const listed = new Set(synopsis.flatMap((line) => invocation(line, line.slice('troupe '.length)).paths));
    expect(leaves.map(({ path }) => path).filter((path) => !listed.has(path))).toEqual([]);
  });

  it('documents every global flag under Global flags', () => {
    const flags = program.options.map((option) => option.long ?? option.short!);
    expect(flags).toEqual(expect.arrayContaining(['--json', '--inspect', '-C']));
    expect(flags.filter((flag) => !mentions(globalFlags, flag))).toEqual([]);
  });

  it("documents every command's flags in that command's section", () => {
    const undocumented: string[] = [];
    for (const { path, flags } of commands) {
      // a group's flags (none yet) belong to the sections of its commands
      const texts = commandSections()
        .filter(({ paths }) => paths.some((documented) => documented === path || documented.startsWith(`${path} `)))
        .map(({ text }) => text);
      for (const flag of flags)
        if (!texts.some((text) => mentions(text, flag))) undocumented.push(`troupe ${path} ${flag}`);
    }
    expect(undocumented).toEqual([]);
  });

  it('names no command the program does not have', () => {
    const known = new Set(commands.map(({ path }) => path));
    const unknown = invocations().flatMap(({ source, paths }) =>
      paths.filter((path) => !known.has(path)).map((path) => `${path} (in ${source})`),
    );
    expect(unknown).toEqual([]);
  });

  it('gives no command a flag it does not have', () => {
    const byPath = new Map(commands.map((defined) => [defined.path, defined]));
    const accepts = (path: string, flag: string): boolean => {
      const words = path.split(' ');
      // a command accepts its own flags, its groups' and the global ones
      return words.some((_, index) => {
        const command = byPath.get(words.slice(0, index + 1).join(' '))?.command;
        return command?.options.some((option) => option.long === flag || option.short === flag) ?? false;
      });
    };
    const global = (flag: string) =>
      ['-h', '--help'].includes(flag) ||
      program.options.some((option) => option.long === flag || option.short === flag);
    const wrong = invocations().flatMap(({ source, paths, flags }) =>
      flags
        .filter((flag) => !global(flag) && (paths.length === 0 || !paths.some((path) => accepts(path, flag))))
        .map((flag) => `${paths.join('|') || 'troupe'} ${flag} (in ${source})`),
    );
    expect(wrong).toEqual([]);
  });
});
