import { z } from 'zod';
import { resourceLimitsSchema } from './resource-limits.js';
import { sharePathProblem } from './share-path.js';

export { sharePathProblem } from './share-path.js';

/** How commands run (SPEC §15): `contained` by the operating system (the default), or `off`. */
export const SANDBOX_MODES = ['contained', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/**
 * What to do about `SANDBOX_UNAVAILABLE`: install bubblewrap or opt out.
 *
 * @example
 * throw new TroupeError('SANDBOX_UNAVAILABLE', 'commands cannot be contained: no bwrap on PATH', { hint: SANDBOX_UNAVAILABLE_HINT });
 */
export const SANDBOX_UNAVAILABLE_HINT =
  'install bubblewrap (Debian/Ubuntu: sudo apt-get install bubblewrap; Fedora: sudo dnf install bubblewrap), or opt out of containment with {"sandbox": {"mode": "off"}} in .troupe/config.json — see docs/explanation/sandbox.md; troupe doctor checks it';

/**
 * Why a `sandbox.hide` entry is refused, or null: an absolute path or one
 * under the home directory (`~/…`), without a NUL byte.
 */
export function hidePathProblem(path: string): string | null {
  if (path.length === 0) return 'must not be empty';
  if (path.includes('\u0000')) return 'must not contain a NUL byte';
  if (path !== '~' && !path.startsWith('/') && !path.startsWith('~/'))
    return `must be an absolute path or start with ~/ ("${path}")`;
  return null;
}

const refinedPath = (problem: (path: string) => string | null) =>
  z.string().superRefine((value, ctx) => {
    const found = problem(value);
    if (found) ctx.addIssue({ code: 'custom', message: found });
  });

/**
 * `sandbox` in `.troupe/config.json` (SPEC §15, docs/explanation/sandbox.md).
 *
 * @example
 * const settings = sandboxSettingsSchema.parse({ share: ['node_modules'], hide: ['~/work/secrets'] });
 * settings.mode; // 'contained'
 */
export const sandboxSettingsSchema = z.strictObject({
  mode: z.enum(SANDBOX_MODES, { error: 'must be "contained" (the default) or "off"' }).default('contained'),
  bwrap: z
    .string()
    .refine((value) => value.startsWith('/') && !value.includes('\u0000'), {
      error: 'must be the absolute path of the bwrap program',
    })
    .optional(),
  hide: z.array(refinedPath(hidePathProblem)).default([]),
  share: z.array(refinedPath(sharePathProblem)).default([]),
  // LD_PRELOAD & co. in a plan's env: refused unless the project says so (they reach the command inside only)
  allowLoaderEnv: z.boolean({ error: 'must be true or false' }).default(false),
  /** Limits of every contained command (docs/explanation/sandbox.md#resource-limits); unset keys take the defaults. */
  limits: resourceLimitsSchema.default({}),
});
export type SandboxSettings = z.output<typeof sandboxSettingsSchema>;
