import { z } from 'zod';
import { defineTool } from '../define-tool.js';

/**
 * `service/capture {name}`: the step that keeps what a plan's background
 * service wrote into the worktree (docs/reference/mcp.md#services). It
 * changes nothing itself; as every step that may write, it is committed
 * with whatever the worktree holds beyond the last step commit — the
 * service's files. `service_stop` takes it when the service left changes,
 * and so does the runtime before an agent's next writing call or before the
 * plan leaves execute. Execute only, like every writing tool.
 *
 * @example
 * await runner.run('service/capture', { name: 'web' }, context);
 * // { success: true, output: { service: 'web' } } — the step commit holds what `web` wrote
 */
export const serviceCaptureTool = defineTool({
  name: 'service/capture',
  description: 'Keep what a background service wrote into the sandbox as a step',
  input: z.strictObject({ name: z.string().min(1).max(64) }),
  sideEffects: ['fs_write'],
  async handler({ name }) {
    return { service: name };
  },
});
