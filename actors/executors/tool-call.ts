import { TroupeError } from '../../src/domain/index.js';
import type { Executor } from '../types.js';

/**
 * The default executor: a step is one tool call, `{tool, input}` as
 * decided. A tool that answers `success: false` fails the step with the
 * tool's error code (TOOL_FAILED, TIMEOUT, SCOPE_VIOLATION…).
 *
 * @example
 * const runtime = await createRuntime({ dir, actors: { executor: toolCallExecutor } });
 * // or keep it registered beside your own, chosen by name in .troupe/config.json
 * await createRuntime({ dir, actors: { executors: [toolCallExecutor, myExecutor] } });
 */
export const toolCallExecutor: Executor = {
  name: 'tool-call',
  async executeStep({ step, title }, { callTool }) {
    if (!step.tool) {
      throw new TroupeError('VALIDATION_ERROR', `step ${step.index + 1} "${title}" has no tool to call`);
    }
    const result = await callTool(step.tool, step.input ?? {});
    return result.success ? { ok: true } : { ok: false, error: result.error };
  },
};
