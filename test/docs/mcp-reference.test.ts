import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MCP_TOOLS } from '../../src/mcp/index.js';
import { inputJsonSchema } from '../../src/mcp/mcp-tool.js';
import { MCP_PROMPTS } from '../../src/mcp/prompts.js';
import { section, sections, tables } from './markdown.js';

// docs/reference/mcp.md documents every tool `troupe mcp` offers, with every argument, and every prompt.

const DOC = readFileSync(join(import.meta.dirname, '../../docs/reference/mcp.md'), 'utf8');
const all = sections(DOC);
const toolSections = all.filter((candidate) => candidate.level === 3 && /^`[a-z_]+`$/.test(candidate.title));

describe('docs/reference/mcp.md', () => {
  it('has a section for every tool, and for no tool troupe mcp does not offer', () => {
    expect(toolSections.map((candidate) => candidate.title.slice(1, -1)).sort()).toEqual(
      MCP_TOOLS.map((tool) => tool.name).sort(),
    );
  });

  it.each(MCP_TOOLS.map((tool) => [tool.name, tool] as const))(
    'names every argument of %s in its section, and gives an example call',
    (name, tool) => {
      const text = section(all, `\`${name}\``).text;
      // the example: the arguments as JSON, which parse and pass the tool's own schema
      const example = /```json\n([\s\S]*?)\n```/.exec(text)?.[1];
      expect(example, `${name} has no example`).toBeDefined();
      expect(tool.input.safeParse(JSON.parse(example!)).success, `${name}: ${example}`).toBe(true);
      const properties = Object.keys(
        (inputJsonSchema(tool) as { properties?: Record<string, unknown> }).properties ?? {},
      );
      for (const property of properties) expect(text, `${name}: ${property}`).toMatch(new RegExp(`\\b${property}\\b`));
    },
  );

  it('lists every prompt with its arguments', () => {
    const table = tables(section(all, 'Prompts and completion').text)[0]!;
    expect(table.rows.map((row) => row[0])).toEqual(MCP_PROMPTS.map((prompt) => `\`${prompt.name}\``));
    for (const prompt of MCP_PROMPTS) {
      const row = table.rows.find((candidate) => candidate[0] === `\`${prompt.name}\``)!;
      for (const argument of prompt.arguments) expect(row[1]).toContain(argument.name);
    }
  });
});
