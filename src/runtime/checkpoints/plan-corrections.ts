import {
  PhaseGuardError,
  ValidationError,
  newId,
  type Decision,
  type PlanRecord,
  type PlanSpec,
} from '../../domain/index.js';
import type { ToolRunner } from '../../tools/index.js';
import type { PlanPersistence } from '../persistence/index.js';
import type { PlanMemory } from '../persistence/index.js';
import type { LivePlan } from './checkpoint-host.js';
import type { RuntimeCheckpoints } from './plan-checkpoints.js';
import type { CorrectionRequest, CorrectionResult } from './checkpoint-api.js';
import { appendedSteps } from './correction-steps.js';

/** What the runtime lends {@link RuntimeCorrections}. */
export interface CorrectionHost {
  checkpoints: RuntimeCheckpoints;
  tools: ToolRunner;
  memory: PlanMemory;
  persistence: PlanPersistence;
  now(): string;
  /** The plan a ref names, with its plan file. */
  plan(ref: string): Promise<{ record: PlanRecord; spec: PlanSpec }>;
  /** The plan's live actor, restored if needed; null for a plan that ended. */
  live(planId: string): Promise<LivePlan | null>;
  /** Drive the plan as its automation allows. */
  run(planId: string): Promise<PlanRecord>;
}

/**
 * Corrections (SPEC §10): revert to a clean checkpoint, or append steps
 * after the last executed one; either is reconciled (`plan.corrected`,
 * trigger `post-correction`) and the plan then runs on per its automation.
 */
export class RuntimeCorrections {
  readonly #host: CorrectionHost;

  constructor(host: CorrectionHost) {
    this.#host = host;
  }

  async correct(ref: string, request: CorrectionRequest): Promise<CorrectionResult> {
    const mode = (request as { mode?: unknown } | null)?.mode;
    if (mode !== 'revert' && mode !== 'append') {
      throw new ValidationError(
        [
          {
            path: 'mode',
            message:
              mode === undefined
                ? 'is required: revert or append'
                : `must be revert or append, got ${JSON.stringify(mode)}`,
          },
        ],
        {
          hint: 'troupe plan correct <plan> --mode revert, or --mode append --step <json|@file>',
        },
      );
    }
    const { record, spec } = await this.#host.plan(ref);
    if (request.mode === 'revert') {
      const rollback = await this.#host.checkpoints.revert(record, spec, request.to, request.reason);
      const plan = await this.#runOn(record.id, rollback.decisionId);
      return {
        planId: record.id,
        mode: 'revert',
        decisionId: rollback.decisionId,
        undoCheckpointId: rollback.undoCheckpointId,
        rollback,
        appended: [],
        plan,
      };
    }
    return this.#append(record, spec, request.steps, request.reason);
  }

  async #append(
    record: PlanRecord,
    spec: PlanSpec,
    requested: unknown,
    reason: string | undefined,
  ): Promise<CorrectionResult> {
    const { memory, persistence } = this.#host;
    const steps = appendedSteps(this.#host.tools, spec, requested);
    const live = await this.#host.live(record.id);
    const now = live ? await live.untilRest() : record;
    if (!live || !live.can({ type: 'plan.corrected', decisionId: '', appended: steps.length })) {
      throw new PhaseGuardError(
        now.name,
        'correct',
        `steps are appended to a plan past strategize and at rest; it is (${now.phase}, ${now.status})`,
        `troupe plan status ${now.name}`,
      );
    }
    const snapshot = live.snapshot();
    const id = record.id;
    const undo = this.#host.checkpoints.capture(id, snapshot, 'pre-correction');
    const at = this.#host.now();
    const correction: Decision = {
      id: newId(),
      planId: id,
      parentId: snapshot.context.decisionRootId,
      type: 'correction',
      title: `appended ${steps.length} step(s)`,
      rationale: reason ?? 'correction asked for by the user',
      payload: {
        mode: 'append',
        undoCheckpointId: undo.checkpoint.id,
        steps: steps.length,
        ...(reason === undefined ? {} : { reason }),
      },
      actor: 'user',
      createdAt: at,
      status: 'active',
    };
    const insertAt = (snapshot.context.lastCompletedStep ?? -1) + 1;
    const stepDecisions: Decision[] = steps.map((step, offset) => ({
      id: newId(),
      planId: id,
      parentId: correction.id,
      type: 'step',
      title: step.title,
      rationale: `call ${step.tool} (appended by a correction)`,
      payload: { index: insertAt + offset, tool: step.tool, input: step.input },
      actor: 'user',
      createdAt: at,
      status: 'active',
    }));
    const list = memory
      .stepIds(id)
      .map((decisionId, index) => ({ decisionId, title: memory.stepTitle(id, index) ?? '' }));
    list.splice(insertAt, 0, ...stepDecisions.map((decision) => ({ decisionId: decision.id, title: decision.title })));
    const decisions = [correction, ...stepDecisions];
    memory.remember(id, decisions);
    memory.setSteps(id, list);
    // the undo checkpoint, the decisions, the new step list and the transition: one batch
    persistence.record(id, {
      decisions,
      checkpoints: [undo.checkpoint],
      entries: [
        undo.entry,
        {
          type: 'plan.corrected',
          phase: snapshot.context.phase,
          data: { mode: 'append', decisionId: correction.id, steps: stepDecisions.map((decision) => decision.id) },
        },
      ],
    });
    const plan = await this.#runOn(id, correction.id, steps.length);
    return {
      planId: id,
      mode: 'append',
      decisionId: correction.id,
      undoCheckpointId: undo.checkpoint.id,
      rollback: null,
      appended: stepDecisions.map((decision) => decision.id),
      plan,
    };
  }

  // a correction was made: reconcile it, then run on as the automation says
  async #runOn(id: string, decisionId: string, appended?: number): Promise<PlanRecord> {
    const live = await this.#host.live(id);
    if (!live) return (await this.#host.plan(id)).record;
    const event = { type: 'plan.corrected' as const, decisionId, ...(appended === undefined ? {} : { appended }) };
    if (live.can(event)) live.send(event);
    const record = await live.untilRest();
    return record.automation === 'manual' ? record : this.#host.run(id);
  }
}
