import { describe, expect, it } from 'vitest';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';
import { inputJsonSchema, planFileSchema } from '../../src/domain/index.js';

// The plan file as a JSON Schema: generated from planFileSchema, reading
// through the transforms zod lists as any value (issue 35).

const schema = inputJsonSchema(planFileSchema);
const valid = (value: unknown) => new AjvJsonSchemaValidator().getValidator(schema)(value).valid;

describe('the plan file as JSON Schema', () => {
  it('lists an invariant as a built-in check’s shape or a registered check, not as any value', () => {
    expect(
      valid({
        name: 'demo/x',
        goal: 'g',
        invariants: [
          { id: 'readme', check: 'file-exists', path: 'README.md' },
          { id: 'lint', check: 'acme/lint', maxWarnings: 0 },
        ],
      }),
    ).toBe(true);
    expect(valid({ name: 'demo/x', goal: 'g', invariants: [{ id: 'readme', check: 'file-exists' }] })).toBe(false);
    expect(valid({ name: 'demo/x', goal: 'g', invariants: [{ id: 'x', check: 'nope' }] })).toBe(false);
  });

  it('takes an invariant id in either case, as the plan file does', () => {
    expect(valid({ name: 'demo/x', goal: 'g', invariants: [{ id: 'Tests', check: 'command', run: 'npm test' }] })).toBe(
      true,
    );
  });

  it('lists env as variable names to strings', () => {
    expect(valid({ name: 'demo/x', goal: 'g', env: { CI: '1' } })).toBe(true);
    expect(valid({ name: 'demo/x', goal: 'g', env: { 'NOT A NAME': '1' } })).toBe(false);
    expect(valid({ name: 'demo/x', goal: 'g', env: { CI: 1 } })).toBe(false);
  });
});
