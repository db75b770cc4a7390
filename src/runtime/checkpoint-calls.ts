import type { CheckpointSummary } from '../domain/index.js';
import type { RuntimeWings } from './local-runtime-wiring.js';
import type {
  CheckpointMethods,
  CorrectionRequest,
  CorrectionResult,
  RollbackPreview,
  RollbackResult,
} from './checkpoints/index.js';
import { checkKeep, reopeningPreview, rollbackReopening } from './checkpoints/index.js';
import { readStoredSpec } from './persistence/index.js';

/**
 * The Runtime's checkpoint methods as a LocalRuntime answers them (SPEC
 * §10): checkpoints listed, shown, taken, deleted and pruned; rollback with
 * its preview, an agent-driven plan opened again; corrections. A rollback
 * first stops what drives the plan (its model, its services), so nothing
 * they ask for lands on the plan going back.
 *
 * @example
 * const calls = new RuntimeCheckpointCalls(wings, () => assertOpen());
 * const preview = await calls.previewRollback('demo/x', { to: 'before-refactor' });
 */
export class RuntimeCheckpointCalls implements CheckpointMethods {
  readonly #wings: RuntimeWings;
  readonly #assertOpen: () => void;

  constructor(wings: RuntimeWings, assertOpen: () => void) {
    this.#wings = wings;
    this.#assertOpen = assertOpen;
  }

  async checkpoints(ref: string): Promise<CheckpointSummary[]> {
    this.#assertOpen();
    return this.#wings.checkpoints.list(await this.#wings.resolveId(ref));
  }

  async checkpoint(ref: string, checkpoint: string): Promise<CheckpointSummary> {
    this.#assertOpen();
    return this.#wings.checkpoints.show(await this.#plan(ref), checkpoint);
  }

  async deleteCheckpoint(ref: string, checkpoint: string): Promise<CheckpointSummary> {
    this.#assertOpen();
    return this.#wings.checkpoints.delete(await this.#plan(ref), checkpoint);
  }

  async createCheckpoint(ref: string, options: { label?: string } = {}): Promise<CheckpointSummary> {
    this.#assertOpen();
    return this.#wings.checkpoints.create(await this.#plan(ref), options.label ?? null);
  }

  async pruneCheckpoints(ref: string, keep: number): Promise<{ deleted: string[]; kept: string[] }> {
    this.#assertOpen();
    checkKeep(keep);
    return this.#wings.checkpoints.prune(await this.#plan(ref), keep);
  }

  async previewRollback(ref: string, options: { to?: string; clean?: boolean } = {}): Promise<RollbackPreview> {
    this.#assertOpen();
    const record = await this.#plan(ref);
    return reopeningPreview(
      record,
      await this.#wings.checkpoints.preview(record, options.to, { clean: options.clean === true }),
    );
  }

  async rollback(ref: string, options: { to?: string } = {}): Promise<RollbackResult> {
    this.#assertOpen();
    const { runs, models, agents, store, checkpoints } = this.#wings;
    runs.forgetCleanSandboxes();
    const id = await this.#wings.resolveId(ref);
    // its model stops first: nothing it asks for lands on the plan going back
    return models.stopFor(id, async () => {
      await agents.stopServices(id);
      const [record, spec] = await Promise.all([this.#wings.readPlan(id), readStoredSpec(store, id)]);
      return rollbackReopening(
        { store, checkpoints, reopen: (planId) => agents.reopen(planId) },
        record,
        spec,
        options.to,
      );
    });
  }

  async correct(ref: string, request: CorrectionRequest): Promise<CorrectionResult> {
    this.#assertOpen();
    this.#wings.runs.forgetCleanSandboxes();
    return this.#wings.corrections.correct(ref, request);
  }

  async #plan(ref: string) {
    return this.#wings.readPlan(await this.#wings.resolveId(ref));
  }
}
