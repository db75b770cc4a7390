import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ValidationError,
  defineCheck,
  definePlugin,
  defineTool,
  scriptedStrategist,
  type PluginDefinition,
} from '../../src/index.js';

const touch = defineTool({
  name: 'acme/touch',
  description: 'Create an empty file',
  input: z.strictObject({ path: z.string() }),
  sideEffects: ['fs_write'],
  handler: async ({ path }, { paths }) => paths.writeFile(path, ''),
});
const readmeKept = defineCheck({
  name: 'acme/readme-kept',
  description: 'README.md is there',
  readOnly: true,
  run: async () => ({ passed: true, message: 'kept' }),
});

function problems(definition: unknown): string[] {
  try {
    definePlugin(definition as PluginDefinition);
  } catch (error) {
    if (error instanceof ValidationError)
      return error.issues.map((issue) => (issue.path ? `${issue.path}: ${issue.message}` : issue.message));
    throw error;
  }
  return [];
}

describe('definePlugin', () => {
  it('returns the plugin frozen, every list present', () => {
    const plugin = definePlugin({ name: '@acme/tools', tools: [touch], checks: [readmeKept] });
    expect(plugin).toEqual({
      name: '@acme/tools',
      tools: [touch],
      checks: [readmeKept],
      strategists: [],
      executors: [],
      reconcilers: [],
    });
    expect(Object.isFrozen(plugin)).toBe(true);
    expect(Object.isFrozen(plugin.tools)).toBe(true);
    expect(plugin.tools[0]).toBe(touch);
  });

  it('lists every problem by field, with the plugin’s name', () => {
    expect(() => definePlugin({ name: 'acme', tools: [{ ...touch, handler: 'x' } as never] })).toThrow(
      'plugin "acme": tools[0]: must be made with defineTool (handler: must be a function)',
    );
    expect(
      problems({
        name: '',
        tools: [touch, touch],
        checks: [
          { name: 'file-exists', description: 'x', run: async () => ({ passed: true, message: '' }) },
          { ...readmeKept, readOnly: 'yes' },
        ],
        strategists: [scriptedStrategist, null],
        executors: [{ name: ' ', executeStep: async () => ({ ok: true }) }],
        reconcilers: {},
        hooks: [],
      }),
    ).toEqual([
      'hooks: is not a field of a plugin (name, tools, checks, strategists, executors, reconcilers)',
      'name: must be a name of lower-case letters, digits and - . _ / @, such as acme-tools',
      'tools[1]: a tool named "acme/touch" is already tools[0]',
      'checks[0]: must be made with defineCheck (name: must be a namespaced check name such as acme/lint-clean; name: "file-exists" is a built-in check)',
      'checks[1]: must be made with defineCheck (readOnly: must be true or false)',
      'strategists[1]: must be a strategist: an object with a name and strategize(input, context), got null',
      'executors[0]: must be an executor: an object with a name and executeStep(input, context) (name: must be a non-empty string)',
      'reconcilers: must be a list of reconcilers',
    ]);
    expect(problems('acme')).toEqual(['must be a plugin made with definePlugin, got a string']);
  });
});
