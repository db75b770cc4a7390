import { parseDocument } from 'yaml';
import { ValidationError } from './errors.js';
import { planFileSchema, type PlanSpec } from './plan-file.js';
import { parseOrThrow } from './validation.js';

/** Plan files larger than this are refused before parsing. */
export const MAX_PLAN_FILE_BYTES = 1024 * 1024;

/**
 * Read a plan file from its text (YAML or JSON) or from an object that was
 * already parsed, and validate it (SPEC §4). Throws a {@link ValidationError}
 * naming every bad field; never throws anything else, whatever the input.
 *
 * @example
 * const spec = parsePlanFile('name: demo/x\ngoal: Say hello\n');
 * spec.automation; // 'review'
 */
export function parsePlanFile(source: unknown, options: { origin?: string } = {}): PlanSpec {
  const subject = options.origin ?? 'plan file';
  const data = typeof source === 'string' ? parsePlanText(source, subject) : source;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ValidationError([{ path: '', message: `must be a mapping with at least name and goal, got ${data === null ? 'nothing' : Array.isArray(data) ? 'a list' : typeof data}` }], {
      subject,
      hint: 'see docs/plan-file.md for the fields',
    });
  }
  return parseOrThrow(planFileSchema, data, { subject, hint: 'see docs/plan-file.md for the fields' });
}

/**
 * Plan file text to plain data. JSON is YAML, so one parser serves both;
 * its errors carry the line and column.
 */
export function parsePlanText(text: string, subject = 'plan file'): unknown {
  if (Buffer.byteLength(text, 'utf8') > MAX_PLAN_FILE_BYTES) {
    throw new ValidationError([{ path: '', message: `is larger than ${MAX_PLAN_FILE_BYTES} bytes` }], { subject });
  }
  if (text.trim() === '') throw new ValidationError([{ path: '', message: 'is empty' }], { subject });
  let document;
  try {
    // uniqueKeys: a key given twice is a mistake, not "last one wins"
    document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  } catch (error) {
    throw new ValidationError([{ path: '', message: `cannot be read: ${(error as Error).message}` }], { subject });
  }
  const problem = document.errors[0];
  if (problem) {
    const where = problem.linePos?.[0] ? ` at line ${problem.linePos[0].line}, column ${problem.linePos[0].col}` : '';
    throw new ValidationError([{ path: '', message: `is not valid YAML or JSON${where}: ${firstLine(problem.message)}` }], { subject });
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ValidationError([{ path: '', message: `cannot be read: ${firstLine((error as Error).message)}` }], { subject });
  }
}

function firstLine(message: string): string {
  // prettyErrors appends " at line L, column C:" and a code frame; we say where ourselves
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
