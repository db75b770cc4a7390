import { stepPayloadSchema, type StepPayload } from './decisions.js';

const STEP_PAYLOAD_KEYS: ReadonlySet<string> = new Set(['index', 'tool', 'input', 'subplans']);
// toolNameSchema's pattern: a tool's name is namespaced, as fs/read-file
const TOOL_NAME = /^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)+$/;

const isPlainRecord = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  // an own __proto__ key (JSON.parse makes one) is left to the schema
  return (prototype === Object.prototype || prototype === null) && !Object.hasOwn(value, '__proto__');
};

/**
 * The step payload `value` is when it plainly is one — the payload a
 * strategy recorded, `{ index, tool, input }` — or `undefined`. Never more
 * lenient than `stepPayloadSchema` (a property test holds the two
 * together): whatever it does not vouch for is left to the schema.
 *
 * @example
 * quickStepPayload({ index: 0, tool: 'fs/read-file', input: { path: 'README.md' } }); // the same payload
 * quickStepPayload({ index: -1 }); // undefined: the schema says what is wrong
 */
export function quickStepPayload(value: unknown): StepPayload | undefined {
  if (!isPlainRecord(value)) return undefined;
  for (const key of Object.keys(value)) if (!STEP_PAYLOAD_KEYS.has(key)) return undefined;
  const { index, tool, input, subplans } = value;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) return undefined;
  if (tool !== undefined && (typeof tool !== 'string' || !TOOL_NAME.test(tool))) return undefined;
  if (input !== undefined && !isPlainRecord(input)) return undefined;
  if (subplans !== undefined && !isPlainRecord(subplans)) return undefined;
  return value as StepPayload;
}

/**
 * A step decision's payload, checked: every step reads one, and the
 * strategy's own payloads pass {@link quickStepPayload} without building a
 * copy through zod; anything else goes through `stepPayloadSchema`, which
 * throws naming the field.
 *
 * @example
 * const step = parseStepPayload(decision.payload);
 * if (step.tool) await tools.run(step.tool, step.input ?? {}, context);
 */
export function parseStepPayload(value: unknown): StepPayload {
  return quickStepPayload(value) ?? stepPayloadSchema.parse(value);
}
