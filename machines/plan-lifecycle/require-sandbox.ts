import { TroupeError, type SandboxInfo } from '../../src/domain/index.js';
import type { PlanContext } from './plan-context.js';

/**
 * The plan's sandbox, which every phase after strategize's first state works in.
 *
 * @example
 * input: ({ context }) => ({ planId: context.planId, sandbox: requireSandbox(context) });
 */
export function requireSandbox(context: PlanContext): SandboxInfo {
  // strategize always records a sandbox before it completes; reaching a later
  // phase without one would be a bug in a provided actor
  if (!context.sandbox) throw new TroupeError('INTERNAL_ERROR', `plan ${context.name} has no sandbox`);
  return context.sandbox;
}
