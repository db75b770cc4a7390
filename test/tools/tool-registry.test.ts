import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TroupeError } from '../../src/domain/index.js';
import { BUILT_IN_TOOLS, ToolRegistry, createToolRegistry, defineTool, readFileTool } from '../../src/tools/index.js';

const greet = defineTool({
  name: 'acme/greet',
  description: 'Say hello',
  input: z.strictObject({ who: z.string().meta({ description: 'whom to greet' }), times: z.number().int().default(1) }),
  sideEffects: [],
  handler: async ({ who }) => `hello ${who}`,
});

describe('ToolRegistry', () => {
  it('holds the built-in tools, listed by name', () => {
    expect(
      createToolRegistry()
        .list()
        .map((tool) => tool.name),
    ).toEqual([
      'builtin/plan-subplan',
      'fs/apply-patch',
      'fs/delete-file',
      'fs/edit-file',
      'fs/list-files',
      'fs/read-file',
      'fs/search',
      'fs/write-file',
      'service/capture',
      'shell/exec',
      'shell/run',
      'system/create-checkpoint',
    ]);
    expect(BUILT_IN_TOOLS).toHaveLength(12);
  });

  it('adds custom tools after the built-ins', () => {
    const registry = createToolRegistry([greet]);
    expect(registry.has('acme/greet')).toBe(true);
    expect(registry.get('acme/greet')).toBe(greet);
    expect(registry.get('acme/missing')).toBeUndefined();
    expect(registry.has('fs/read-file')).toBe(true);
  });

  it('refuses a second tool with a taken name', () => {
    const registry = new ToolRegistry().register(greet);
    expect(() => registry.register(greet)).toThrow(/already registered/);
    try {
      createToolRegistry([{ ...readFileTool }]);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TroupeError);
      expect((error as TroupeError).code).toBe('VALIDATION_ERROR');
    }
  });

  it('refuses a tool object that was not checked by defineTool and is malformed', () => {
    const registry = new ToolRegistry();
    expect(() => registry.register({ ...greet, sideEffects: ['teleport'] as never })).toThrow(/sideEffects\[0\]/);
  });

  it('exports the input of a tool as JSON schema for LLM actors', () => {
    const schema = createToolRegistry([greet]).jsonSchema('acme/greet');
    expect(schema).toMatchObject({
      type: 'object',
      properties: { who: { type: 'string', description: 'whom to greet' }, times: { type: 'integer', default: 1 } },
      required: ['who'],
      additionalProperties: false,
    });
  });

  it('gives the same JSON schema on every call, and a copy callers may change', () => {
    const registry = createToolRegistry();
    for (const name of registry.names()) {
      const first = registry.jsonSchema(name);
      (first as Record<string, unknown>)['title'] = 'changed by a caller';
      const second = registry.jsonSchema(name);
      expect(second['title']).toBeUndefined();
      expect(JSON.stringify(second)).toBe(JSON.stringify(createToolRegistry().jsonSchema(name)));
    }
  });

  it('describes the built-in inputs', () => {
    const registry = createToolRegistry();
    expect(registry.jsonSchema('fs/write-file')).toMatchObject({
      properties: { path: { type: 'string', maxLength: 4096 }, content: { type: 'string' } },
      required: ['path', 'content'],
      additionalProperties: false,
    });
    expect(registry.jsonSchema('shell/run')).toMatchObject({ required: ['command'] });
  });

  it('refuses the JSON schema of an unknown tool', () => {
    expect(() => createToolRegistry().jsonSchema('fs/nope')).toThrow(
      /unknown tool "fs\/nope" \(known: builtin\/plan-subplan, fs\/apply-patch, fs\/delete-file, /,
    );
  });
});
