import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCheck } from '../../actors/index.js';
import { ValidationError } from '../../src/domain/index.js';

// defineCheck refuses a definition an app got wrong before any runtime uses it.

const run = async () => ({ passed: true, message: 'ok' });

describe('defineCheck', () => {
  it('freezes a good definition, with its options schema', () => {
    const check = defineCheck({
      name: 'acme/lint-clean',
      description: 'lint is clean',
      options: z.strictObject({ maxWarnings: z.number().default(0) }),
      run,
    });
    expect(check).toMatchObject({ name: 'acme/lint-clean', description: 'lint is clean' });
    expect(Object.isFrozen(check)).toBe(true);
  });

  it.each([
    [
      'a name without a namespace',
      { name: 'lint', description: 'd', run },
      'name: must be a namespaced check name such as acme/lint-clean',
    ],
    [
      'the name of a built-in check',
      { name: 'file-exists', description: 'd', run },
      'name: "file-exists" is a built-in check',
    ],
    ['an empty description', { name: 'acme/x', description: '  ', run }, 'description: must not be empty'],
    ['a run that is not a function', { name: 'acme/x', description: 'd', run: 'npm test' }, 'run: must be a function'],
    [
      'options that are not a zod schema',
      { name: 'acme/x', description: 'd', options: { maxWarnings: 0 }, run },
      'options: must be a zod schema',
    ],
  ])('refuses %s, naming the field', (_, definition, message) => {
    let thrown: unknown;
    try {
      defineCheck(definition as never);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect(thrown).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringContaining(message) });
  });
});
