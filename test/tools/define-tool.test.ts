import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../src/domain/index.js';
import { defineTool, type ToolContext } from '../../src/tools/index.js';

const valid = {
  name: 'acme/greet',
  description: 'Say hello',
  input: z.strictObject({ who: z.string() }),
  sideEffects: [] as const,
  handler: async ({ who }: { who: string }) => ({ greeting: `hello ${who}` }),
};

function definitionError(definition: unknown): ValidationError {
  try {
    defineTool(definition as Parameters<typeof defineTool>[0]);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected defineTool to throw');
}

describe('defineTool', () => {
  it('returns a frozen tool whose handler input is inferred from the schema', async () => {
    const tool = defineTool({
      name: 'acme/greet',
      description: 'Say hello',
      input: z.strictObject({ who: z.string(), loud: z.boolean().default(false) }),
      sideEffects: [],
      handler: async (input) => {
        expectTypeOf(input).toEqualTypeOf<{ who: string; loud: boolean }>();
        return input.loud ? `HELLO ${input.who}` : `hello ${input.who}`;
      },
    });
    expect(Object.isFrozen(tool)).toBe(true);
    expect(Object.isFrozen(tool.sideEffects)).toBe(true);
    expect(await tool.handler({ who: 'ada', loud: true }, {} as ToolContext)).toBe('HELLO ada');
  });

  it('refuses a name that is not namespaced', () => {
    const error = definitionError({ ...valid, name: 'greet' });
    expect(error.code).toBe('VALIDATION_ERROR');
    expect(error.issues).toEqual([{ path: 'name', message: 'must be a namespaced tool name such as fs/write-file' }]);
  });

  it('refuses an unknown side effect and names its position', () => {
    const error = definitionError({ ...valid, sideEffects: ['fs_write', 'network'] });
    expect(error.issues).toEqual([
      { path: 'sideEffects[1]', message: 'must be one of fs_write, exec, spawn_subplan, checkpoint' },
    ]);
  });

  it('lists every problem of a definition at once', () => {
    const error = definitionError({
      name: 'Bad Name',
      description: '',
      input: { parse() {} },
      sideEffects: 'exec',
      handler: 'no',
    });
    expect(error.issues.map((issue) => issue.path)).toEqual(['name', 'description', 'input', 'sideEffects', 'handler']);
    expect(error.message).toContain('tool "Bad Name"');
  });

  it('refuses something that is not an object', () => {
    expect(definitionError(null).issues[0]?.message).toContain('defineTool');
  });
});
