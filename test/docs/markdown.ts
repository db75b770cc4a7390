// Just enough Markdown for the reference checks: headings with the text
// under them, pipe tables and inline code. Fenced code blocks are text, not
// structure: a `# comment` in a shell block is not a heading.

/** A heading and everything under it up to the next heading of its level or above. */
export interface Section {
  level: number;
  title: string;
  /** The heading line and the lines under it, fenced blocks included. */
  text: string;
}

/** Every heading of `markdown` with its section, in document order. */
export function sections(markdown: string): Section[] {
  const lines = markdown.split('\n');
  const headings: { level: number; title: string; line: number }[] = [];
  let fenced = false;
  lines.forEach((line, index) => {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const match = fenced ? null : /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (match) headings.push({ level: match[1]!.length, title: match[2]!, line: index });
  });
  return headings.map((heading, index) => {
    const next = headings.slice(index + 1).find((other) => other.level <= heading.level);
    return {
      level: heading.level,
      title: heading.title,
      text: lines.slice(heading.line, next?.line ?? lines.length).join('\n'),
    };
  });
}

/** The one section titled `title` (exactly, backticks included); throws when there is none or several. */
export function section(all: readonly Section[], title: string): Section {
  const found = all.filter((candidate) => candidate.title === title);
  if (found.length !== 1) throw new Error(`expected one section titled "${title}", found ${found.length}`);
  return found[0]!;
}

/** The contents of the inline code spans of `text` (single backticks). */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((match) => match[1]!);
}

/** The code lines of the fenced blocks in `text`. */
export function fencedLines(text: string): string[] {
  const lines: string[] = [];
  let fenced = false;
  for (const line of text.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    else if (fenced) lines.push(line);
  }
  return lines;
}

/**
 * The pipe tables of `text` outside fenced blocks, each as its header
 * cells and its rows of cells (`\|` is a literal bar inside a cell).
 */
export function tables(text: string): { header: string[]; rows: string[][] }[] {
  const found: { header: string[]; rows: string[][] }[] = [];
  const lines = text.split('\n');
  let fenced = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced || !isRow(line) || !/^\s*\|(\s*:?-+:?\s*\|)+\s*$/.test(lines[index + 1] ?? '')) continue;
    const rows: string[][] = [];
    let next = index + 2;
    for (; next < lines.length && isRow(lines[next]!); next++) rows.push(cells(lines[next]!));
    found.push({ header: cells(line), rows });
    index = next - 1;
  }
  return found;
}

function isRow(line: string): boolean {
  return /^\s*\|.*\|\s*$/.test(line);
}

function cells(line: string): string[] {
  return line
    .trim()
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}
