// The fields the parts of a plan file share (SPEC §4): names, texts a person
// writes, command lines, scope globs, timeouts, tool and project names. Each
// refusal is a message naming what is wrong, never a silent fix.
import { z } from 'zod';
import { controlCharacterProblem, nulByteProblem } from './control-characters.js';
import { planNameProblem } from './names.js';
import { scopeGlobProblem } from './paths.js';

/** A plan name, `namespace/name` (SPEC §2). */
export const planName = z.string().superRefine((value, ctx) => {
  const problem = planNameProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Text a person writes (a title, a goal): no control characters but tabs and line breaks. */
export const plainText = z.string().superRefine((value, ctx) => {
  const problem = controlCharacterProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** Text that is not empty once trimmed, at most `max` characters, without control characters but tabs and line breaks. */
export const nonEmptyText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .superRefine((value, ctx) => {
      const problem = controlCharacterProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** A command line: not empty once trimmed, at most `max` characters, without a NUL byte (no process argument can hold one). */
export const commandText = (max: number) =>
  z
    .string()
    .trim()
    .min(1, { error: 'must not be empty' })
    .max(max, { error: `must be at most ${max} characters` })
    .superRefine((value, ctx) => {
      const problem = nulByteProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });

/** A resource scope: a relative glob without `..`, at most 256 characters (SPEC §8). */
export const scopeGlob = z.string().superRefine((value, ctx) => {
  const problem = scopeGlobProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** A timeout in milliseconds: a positive whole number up to 24 hours. */
export const timeoutMs = z
  .number()
  .int({ error: 'must be a whole number of milliseconds' })
  .positive({ error: 'must be a positive number of milliseconds' })
  .max(86_400_000, { error: 'must be at most 86400000 (24 hours)' });

/** A namespaced tool name: `fs/write-file`, `shell/run`. */
export const toolNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9-]*(\/[a-z][a-z0-9-]*)+$/, { error: 'must be a namespaced tool name such as fs/write-file' });

/** The name of a registered project (multi-project subplans). */
export const projectName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, { error: 'must be a registered project name (a-z, 0-9, -)' });
