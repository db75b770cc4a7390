import { parseDocument } from 'yaml';
import { ValidationError, type FieldIssue } from './errors.js';
import { planFileSchema, type PlanSpec } from './plan-file.js';
import { MAX_SUBPLAN_DEPTH, cutDeepSubplans } from './plan-file-depth.js';
import { yamlNestingProblem } from './yaml-nesting.js';
import { toFieldIssues } from './validation.js';

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
  const reading = readPlanFile(source, options);
  if (reading.spec === null) throw new ValidationError(reading.issues, { subject, hint: PLAN_FILE_HINT });
  return reading.spec;
}

/** Where the fields of a plan file are described. */
export const PLAN_FILE_HINT = 'see docs/reference/plan-file.md for the fields';

/**
 * A plan file read as far as it can be: its data (subplans nested past the
 * limit cut off), the validated plan when nothing is wrong, and every
 * problem the schema finds — so checks that need more than the schema
 * (registered tools, checks, projects) can run on the rest and report
 * everything at once. Throws a {@link ValidationError} only when there is
 * nothing to read: text that is not YAML or JSON, or not a mapping.
 *
 * @example
 * const { spec, issues } = readPlanFile('name: demo/x\ngoal: ""\n');
 * spec; // null
 * issues; // [{ path: 'goal', message: 'must not be empty' }]
 */
export function readPlanFile(
  source: unknown,
  options: { origin?: string } = {},
): { data: Record<string, unknown>; spec: PlanSpec | null; issues: FieldIssue[] } {
  const subject = options.origin ?? 'plan file';
  const read = typeof source === 'string' ? parsePlanText(source, subject) : source;
  if (read === null || typeof read !== 'object' || Array.isArray(read)) {
    throw new ValidationError(
      [
        {
          path: '',
          message: `must be a mapping with at least name and goal, got ${read === null ? 'nothing' : Array.isArray(read) ? 'a list' : typeof read}`,
        },
      ],
      {
        subject,
        hint: PLAN_FILE_HINT,
      },
    );
  }
  const { data, issues: tooDeep } = cutDeepSubplans(read);
  let result: ReturnType<typeof planFileSchema.safeParse>;
  try {
    result = planFileSchema.safeParse(data);
  } catch (error) {
    // a value no plan file can hold (a getter that throws): a problem with the input, not a crash
    throw new ValidationError(
      [{ path: '', message: `cannot be read: ${firstLine(String((error as Error)?.message ?? error))}` }],
      { subject, hint: PLAN_FILE_HINT },
    );
  }
  const issues = [...tooDeep, ...(result.success ? [] : toFieldIssues(result.error.issues, data, '', planFileSchema))];
  return {
    data: data as Record<string, unknown>,
    spec: result.success && issues.length === 0 ? result.data : null,
    issues,
  };
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
  const tooDeep = yamlNestingProblem(text);
  if (tooDeep !== null)
    throw new ValidationError(
      [
        {
          path: '',
          message: `${tooDeep} and cannot be read (child plans may nest at most ${MAX_SUBPLAN_DEPTH} levels)`,
        },
      ],
      { subject, hint: PLAN_FILE_HINT },
    );
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
    throw new ValidationError(
      [{ path: '', message: `is not valid YAML or JSON${where}: ${firstLine(problem.message)}` }],
      { subject },
    );
  }
  try {
    return document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new ValidationError([{ path: '', message: `cannot be read: ${firstLine((error as Error).message)}` }], {
      subject,
    });
  }
}

function firstLine(message: string): string {
  // prettyErrors appends " at line L, column C:" and a code frame; we say where ourselves
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}
