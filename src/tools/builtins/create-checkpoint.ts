import { z } from 'zod';
import { MAX_CHECKPOINT_LABEL, TroupeError } from '../../domain/index.js';
import { defineTool } from '../define-tool.js';

/**
 * `system/create-checkpoint {label}`: take a `manual` checkpoint of the plan
 * while a step runs (SPEC §7, §10). It holds the plan as it stood when the
 * step started — the last step commit — so rolling back to it runs this
 * step again from its beginning. Execute only.
 *
 * @example
 * await runner.run('system/create-checkpoint', { label: 'before-migration' }, context);
 * // { success: true, output: { checkpointId: '01J…', label: 'before-migration' } }
 */
export const createCheckpointTool = defineTool({
  name: 'system/create-checkpoint',
  description: 'Take a checkpoint of the plan that a rollback can go back to',
  input: z.strictObject({ label: z.string().trim().min(1).max(MAX_CHECKPOINT_LABEL) }),
  sideEffects: ['checkpoint'],
  async handler({ label }, { checkpoints, phase }) {
    if (!checkpoints) {
      throw new TroupeError('READ_ONLY_PHASE', `system/create-checkpoint runs in execute, not in ${phase}`, {
        hint: 'strategize records decisions only; take checkpoints from a step',
      });
    }
    const checkpoint = await checkpoints.create(label);
    return { checkpointId: checkpoint.id, label: checkpoint.label };
  },
});
