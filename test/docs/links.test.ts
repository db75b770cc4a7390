import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every relative link of the Markdown the project owns goes somewhere: the
// file (or directory) exists, and a `#anchor` is a heading of the target page
// as GitHub slugs it. Links to other sites (http, https, mailto) are not
// followed; links inside fenced code blocks and code spans are not links.
// A broken link is reported as `file:line → target`.

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** README.md, docs/**\/*.md and the examples' README.md files, relative to the repository. */
function ownedMarkdown(): string[] {
  const files = [
    'README.md',
    'CONTRIBUTING.md',
    ...walk('docs', () => true),
    ...walk('examples', (name) => name === 'README.md'),
  ];
  return files.filter((file) => existsSync(join(root, file))).sort();
}

function walk(dir: string, keep: (name: string) => boolean): string[] {
  const absolute = join(root, dir);
  if (!existsSync(absolute)) return [];
  return readdirSync(absolute, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path, keep);
    return entry.name.endsWith('.md') && keep(entry.name) ? [path] : [];
  });
}

/** The lines of `markdown` outside fenced code blocks, with their 1-based numbers; fenced lines are blanked. */
function proseLines(markdown: string): string[] {
  let fence: { char: string; length: number } | null = null;
  return markdown.split('\n').map((line) => {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line);
    if (fence === null) {
      if (marker) {
        fence = { char: marker[1]![0]!, length: marker[1]!.length };
        return '';
      }
      return line;
    }
    // a fence closes with the same character, at least as long, and nothing after it
    if (marker && marker[1]![0] === fence.char && marker[1]!.length >= fence.length && /^\s*[`~]+\s*$/.test(line)) {
      fence = null;
    }
    return '';
  });
}

/** `line` with its code spans removed: a `[x](y)` in backticks is not a link. */
function withoutCodeSpans(line: string): string {
  return line.replace(/(`+)(?:(?!\1).)+?\1/g, (span) => ' '.repeat(span.length));
}

interface Link {
  line: number;
  target: string;
}

/** The link targets of `markdown`: inline links and images, and reference definitions. */
function links(markdown: string): Link[] {
  const found: Link[] = [];
  proseLines(markdown).forEach((raw, index) => {
    const line = withoutCodeSpans(raw);
    // [text](target) and ![alt](target), the target optionally in <…> and followed by a "title"
    for (const match of line.matchAll(/\]\(\s*(<[^>]*>|[^\s()]*(?:\([^\s()]*\)[^\s()]*)*)(?:\s+["'(][^)]*)?\)/g)) {
      found.push({ line: index + 1, target: match[1]!.replace(/^<|>$/g, '') });
    }
    // [label]: target
    const definition = /^\s{0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(line);
    if (definition) found.push({ line: index + 1, target: definition[1]!.replace(/^<|>$/g, '') });
  });
  return found;
}

/**
 * A heading's anchor as GitHub makes it: the heading's text (inline
 * formatting and link targets dropped), lowercased, every character that is
 * not a letter, mark, digit, `_`, `-` or space removed, each space a hyphen.
 *
 * @example
 * slug('The project’s own paths'); // 'the-projects-own-paths'
 * slug('`troupe plan run` (and `--to`)'); // 'troupe-plan-run-and---to'
 */
function slug(heading: string): string {
  // a code span's text is kept as it is (`<plan>` included); outside them
  // inline HTML, link targets and emphasis markers are not text
  const text = heading
    .split(/(`+[^`]*`+)/)
    .map((part, index) =>
      index % 2 === 1
        ? part.replace(/`/g, '')
        : part
            .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
            .replace(/<[^>]+>/g, '')
            .replace(/\*\*|__|\*|\b_|_\b/g, ''),
    )
    .join('');
  return text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of `markdown`: its headings' slugs (a repeated one gets -1, -2, …) and explicit `<a id|name="…">`. */
function anchors(markdown: string): Set<string> {
  const found = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(markdown)) {
    const heading = /^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$/.exec(line);
    if (heading) {
      const base = slug(heading[2]!);
      const count = seen.get(base) ?? 0;
      seen.set(base, count + 1);
      found.add(count === 0 ? base : `${base}-${count}`);
    }
    for (const match of line.matchAll(/<a\s+[^>]*?(?:id|name)="([^"]+)"/g)) found.add(match[1]!);
  }
  return found;
}

const anchorCache = new Map<string, Set<string>>();

function anchorsOf(absolute: string): Set<string> {
  let found = anchorCache.get(absolute);
  if (found === undefined) {
    found = anchors(readFileSync(absolute, 'utf8'));
    anchorCache.set(absolute, found);
  }
  return found;
}

/** Where `target` of a link in `file` goes wrong, or null when it resolves. */
function problem(file: string, target: string): string | null {
  if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) return null; // http:, https:, mailto:, …
  const hash = target.indexOf('#');
  const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash)).replace(/\?.*$/, '');
  const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
  const absolute =
    pathPart === ''
      ? join(root, file)
      : pathPart.startsWith('/')
        ? join(root, pathPart)
        : resolve(dirname(join(root, file)), pathPart);
  if (!existsSync(absolute)) return 'no such file';
  if (anchor === null || anchor === '' || !absolute.endsWith('.md') || statSync(absolute).isDirectory()) return null;
  return anchorsOf(absolute).has(anchor) ? null : `no heading #${anchor} in ${relative(root, absolute)}`;
}

/** Every broken link of `file`, as `file:line → target (why)`. */
function brokenLinks(file: string): string[] {
  return links(readFileSync(join(root, file), 'utf8')).flatMap(({ line, target }) => {
    const why = problem(file, target);
    return why === null ? [] : [`${file}:${line} → ${target} (${why})`];
  });
}

describe('slug', () => {
  it.each([
    ['The project’s own paths', 'the-projects-own-paths'],
    ['Who a command is, and its filter (issue 72)', 'who-a-command-is-and-its-filter-issue-72'],
    ['`troupe plan run`', 'troupe-plan-run'],
    ['`plan_run` and `--to`', 'plan_run-and---to'],
    ['`troupe plan run <plan|file>`', 'troupe-plan-run-planfile'],
    ['Keys <a id="k"></a>', 'keys'],
    ['Rollback ≤ 1.5× git', 'rollback--15-git'],
    ['**Bold** and *em* and _em_', 'bold-and-em-and-em'],
    ['[A link](x.md) in a heading', 'a-link-in-a-heading'],
    ['Diátaxis', 'diátaxis'],
  ])('%s → %s', (heading, expected) => {
    expect(slug(heading)).toBe(expected);
  });

  it('numbers a repeated heading -1, -2 and skips headings in fenced blocks', () => {
    const found = anchors(['# Keys', '## Keys', '```sh', '# Keys', '```', '### Keys', '<a id="here"></a>'].join('\n'));
    expect([...found].sort()).toEqual(['here', 'keys', 'keys-1', 'keys-2']);
  });
});

describe('links', () => {
  it('finds inline links, images and definitions, not those in code', () => {
    const found = links(
      [
        'See [a](a.md#x) and ![b](img/b.png "title").',
        '`[not](a link)` and [c](<d e.md>)',
        '```md',
        '[fenced](nope.md)',
        '```',
        '[label]: ref.md#y',
      ].join('\n'),
    );
    expect(found).toEqual([
      { line: 1, target: 'a.md#x' },
      { line: 1, target: 'img/b.png' },
      { line: 2, target: 'd e.md' },
      { line: 6, target: 'ref.md#y' },
    ]);
  });
});

describe('relative links in the Markdown the project owns', () => {
  const files = ownedMarkdown();

  it('finds the pages', () => {
    expect(files).toContain('README.md');
    expect(files.some((file) => file.startsWith('docs/'))).toBe(true);
  });

  it.each(files)('%s', (file) => {
    const broken = brokenLinks(file);
    expect(broken, `broken links:\n${broken.join('\n')}`).toEqual([]);
  });
});
