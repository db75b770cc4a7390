import { findProjectRoot, loadProjectConfig, removeEmptyObjects, repairablePlans } from '../../runtime/index.js';
import { confirmRollback } from '../confirm-rollback.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/**
 * `troupe doctor --repair [--yes]` (docs/reference/errors.md#REPOSITORY_DAMAGED): after
 * a crash or power cut, what troupe can mend in the project. Empty object
 * files go (git writes them whole again); each plan whose recorded commits
 * git cannot read is rolled back to its newest checkpoint it can — asking
 * first, as `plan rollback` does (`--yes` does not ask; no terminal and no
 * `--yes` is CONFIRMATION_REQUIRED) — so the steps after it run again; a
 * plan with no readable checkpoint is named, with what to do. Exit 0 when
 * nothing is left damaged.
 */
export async function doctorRepair(context: CommandContext): Promise<number> {
  const root = await findProjectRoot(context.dir);
  const config = await loadProjectConfig(root).catch(() => null);
  const removed = await removeEmptyObjects(root);
  if (removed.length > 0)
    context.out.note(
      `removed ${removed.length} empty git object${removed.length === 1 ? '' : 's'} (${removed.slice(0, 3).join(', ')}${removed.length > 3 ? ', …' : ''}): git writes each again when it is needed`,
    );
  const damaged = await repairablePlans(root, config);
  const repaired: string[] = [];
  const left: string[] = [];
  if (damaged.length > 0) {
    const runtime = await context.runtime();
    for (const { plan, missing, readable, lost } of damaged) {
      // its head reads whole: only checkpoints are gone, which nothing can go back to
      if (
        readable === null &&
        lost.length > 0 &&
        !missing.startsWith('its step commit') &&
        !missing.startsWith('its applied commit')
      ) {
        for (const checkpoint of lost) await runtime.deleteCheckpoint(plan.id, checkpoint);
        repaired.push(
          `${plan.name}: deleted ${lost.length} checkpoint${lost.length === 1 ? '' : 's'} whose commits git cannot read`,
        );
        continue;
      }
      if (readable === null) {
        left.push(
          `${plan.name}: ${missing}, and no checkpoint of it can be read — troupe plan cancel ${plan.name}, then plan it again`,
        );
        continue;
      }
      if (!context.yes) {
        const preview = await runtime.previewRollback(plan.id, { to: readable.id });
        await confirmRollback(context, {
          name: plan.name,
          preview,
          operation: 'rollback',
          question: `${plan.name}: ${missing}. Roll it back to its newest readable checkpoint?`,
          withYes: 'troupe doctor --repair --yes',
        });
      }
      await runtime.rollback(plan.id, { to: readable.id });
      // the checkpoints past it, and the one the rollback took of the lost head, name what is gone
      const after = (await repairablePlans(root, null, runtime)).find((found) => found.plan.id === plan.id);
      for (const checkpoint of after?.lost ?? []) await runtime.deleteCheckpoint(plan.id, checkpoint);
      repaired.push(
        `${plan.name}: rolled back to checkpoint ${readable.id}${readable.label ? ` (${readable.label})` : ''}; troupe plan run ${plan.name} runs the steps after it again`,
      );
    }
  }
  const result = { removedObjects: removed, repaired, left };
  context.out.result(result, () => {
    if (removed.length === 0 && damaged.length === 0)
      return 'nothing to repair: every commit and checkpoint the plans name can be read';
    return (
      [...repaired.map((line) => `✓ ${line}`), ...left.map((line) => `✗ ${line}`)].join('\n') ||
      'every commit and checkpoint the plans name can be read again'
    );
  });
  return left.length === 0 ? EXIT.ok : EXIT.failed;
}
