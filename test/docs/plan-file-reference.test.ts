import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  planFileSchema,
  stepSchema,
  strategySchema,
  toolStepSchema,
  validateCommandSchema,
} from '../../src/domain/plan-file.js';
import { agentSchema } from '../../src/domain/plan-file-agent.js';
import { builtInInvariantSchema, customInvariantSchema } from '../../src/domain/plan-file-invariants.js';
import { knownKeysAt } from '../../src/domain/schema-keys.js';
import { codeSpans, section, sections, tables } from './markdown.js';

// docs/reference/plan-file.md against the zod schemas of the plan file (issue 7): each
// reference table lists exactly the fields its schema knows.

const doc = readFileSync(new URL('../../docs/reference/plan-file.md', import.meta.url), 'utf8');
const all = sections(doc);

function keysOf(schema: unknown): string[] {
  if (schema instanceof z.ZodLazy) return keysOf(schema.unwrap());
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  // a shape behind a transform (one that also refuses __proto__ keys)
  if (schema instanceof z.ZodPipe) return [...knownKeysAt(schema, {}, [])];
  throw new Error(`expected an object schema, got ${(schema as z.ZodType)._zod?.def.type}`);
}

function shapeOf(schema: unknown): Record<string, unknown> {
  if (schema instanceof z.ZodLazy) return shapeOf(schema.unwrap());
  if (schema instanceof z.ZodObject) return schema.shape as Record<string, unknown>;
  throw new Error(`expected an object schema, got ${(schema as z.ZodType)._zod?.def.type}`);
}

/** The field names of the table in `sectionTitle` whose first header cell is `firstHeader`. */
function documentedFields(sectionTitle: string, firstHeader: string): string[] {
  const found = tables(section(all, sectionTitle).text).filter(({ header }) => header[0] === firstHeader);
  if (found.length !== 1)
    throw new Error(`expected one table headed "${firstHeader}" under "${sectionTitle}", found ${found.length}`);
  return found[0]!.rows.map((row) => {
    const names = codeSpans(row[0]!);
    if (names.length !== 1) throw new Error(`a field row names one field in code, got "${row[0]}"`);
    return names[0]!;
  });
}

if (!(stepSchema instanceof z.ZodUnion)) throw new Error('stepSchema is no longer a union of step shapes');
const subplanStep = stepSchema.options.find((option) => keysOf(option).includes('subplans'))!;
const subplanGroup = shapeOf(subplanStep).subplans;
const entries = shapeOf(subplanGroup).entries;
if (!(entries instanceof z.ZodArray)) throw new Error('subplans.entries is no longer a list');
const invariantShapes = builtInInvariantSchema.options.map((option) => ({
  check: (option.shape.check as z.ZodLiteral<string>).value,
  fields: Object.keys(option.shape),
}));
const commonInvariantFields = keysOf(customInvariantSchema);

const references = [
  { what: 'the plan file', section: 'Top-level fields', header: 'field', schema: planFileSchema },
  { what: 'a tool step', section: 'Tool step', header: 'field', schema: toolStepSchema },
  { what: 'subplans', section: 'Subplan step', header: 'field (`subplans.…`)', schema: subplanGroup },
  { what: 'a subplans entry', section: 'Subplan step', header: 'field', schema: entries.element },
  { what: 'a validate command', section: 'Validate commands', header: 'field', schema: validateCommandSchema },
  { what: 'every invariant', section: 'Invariants', header: 'field', schema: customInvariantSchema },
  { what: 'the agent block', section: 'Agent', header: 'field', schema: agentSchema },
];

describe('docs/reference/plan-file.md', () => {
  it('reads the schemas', () => {
    expect(keysOf(planFileSchema)).toEqual(expect.arrayContaining(['name', 'goal', 'strategy']));
    expect(keysOf(subplanGroup)).toContain('entries');
    expect(commonInvariantFields).toEqual(['id', 'description', 'check']);
  });

  it.each(references)('lists exactly the fields of $what', ({ section: title, header, schema }) => {
    expect([...documentedFields(title, header)].sort()).toEqual(keysOf(schema).sort());
  });

  it('names the fields of a strategy and of a subplan step', () => {
    const steps = section(all, 'Steps').text;
    for (const field of keysOf(strategySchema)) expect(steps).toContain(`\`strategy.${field}\``);
    const subplans = codeSpans(section(all, 'Subplan step').text);
    const toolFields = keysOf(toolStepSchema);
    // a subplan step shares `title` with the tool step documented above it
    for (const field of keysOf(subplanStep).filter((field) => !toolFields.includes(field)))
      expect(subplans).toContain(field);
  });

  it('lists each built-in check with exactly its own fields', () => {
    const table = tables(section(all, 'Invariants').text).find(({ header }) => header[0] === 'check');
    expect(table).toBeDefined();
    const documented = new Map<string, string[]>();
    for (const [checks, fields] of table!.rows) {
      const own = fields === 'none' ? [] : codeSpans(fields!);
      for (const check of codeSpans(checks!)) documented.set(check, own);
    }
    const defined = new Map(
      invariantShapes.map(({ check, fields }) => [
        check,
        fields.filter((field) => !commonInvariantFields.includes(field)),
      ]),
    );
    expect([...documented.keys()].sort()).toEqual([...defined.keys()].sort());
    for (const [check, fields] of defined)
      expect({ check, fields: [...documented.get(check)!].sort() }).toEqual({ check, fields: [...fields].sort() });
  });
});
