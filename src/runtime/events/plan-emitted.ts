import {
  newId,
  reconciliationRationale,
  reconciliationTitle,
  type Decision,
  type JournalEntry,
  type ReconciliationPayload,
} from '../../domain/index.js';
import type { PlanEmitted } from '../../../machines/index.js';
import type { PlanPersistence } from '../persistence/index.js';
import type { PlanMemory } from '../persistence/index.js';
import type { RuntimeCheckpoints } from '../checkpoints/index.js';
import { mergeDecision, strategyResolutionDecision } from '../children/index.js';

/** What {@link EmittedRecorder} needs from the runtime. */
export interface EmittedHost {
  persistence: PlanPersistence;
  memory: PlanMemory;
  checkpoints: RuntimeCheckpoints;
  now(): string;
  /** The reconciler's name, the actor of reconciliation decisions. */
  reconcilerName: string;
  /** The live plan's decision root, the parent of decisions a strategy settled. */
  decisionRootId(planId: string): string | null;
}

/**
 * Turns what a plan machine emits into what is stored with its next
 * snapshot (DESIGN §4): journal entries, decisions, changesets, conflicts,
 * checkpoints. The machine says what happened; ids, times and titles are
 * the runtime's, so machines stay pure.
 */
export class EmittedRecorder {
  readonly #host: EmittedHost;

  constructor(host: EmittedHost) {
    this.#host = host;
  }

  /** Queue what the plan emitted for its next batch. */
  record(planId: string, emitted: PlanEmitted): void {
    switch (emitted.type) {
      case 'journal':
        return this.#host.persistence.record(planId, { entries: [this.#withStepTitle(planId, emitted.entry)] });
      case 'steps':
        this.#host.memory.setSteps(planId, emitted.steps);
        // the record's strategyDecisionIds changed: written with the next snapshot
        return this.#host.persistence.changed(planId);
      case 'decisions':
        this.#host.memory.remember(planId, emitted.decisions);
        return this.#host.persistence.record(planId, { decisions: emitted.decisions });
      case 'changeset':
        return this.#host.persistence.record(planId, { changeset: emitted.changeset });
      case 'read': {
        // the call is no step after all: off the step list (the record's strategyDecisionIds), its decision stored again as the read
        const { memory } = this.#host;
        const steps = memory
          .stepIds(planId)
          .map((decisionId, at) => ({ decisionId, title: memory.stepTitle(planId, at) ?? '' }));
        memory.setSteps(
          planId,
          steps.filter((step, at) => at !== emitted.step || step.decisionId !== emitted.decision.id),
        );
        memory.remember(planId, [emitted.decision]);
        return this.#host.persistence.record(planId, { decisions: [emitted.decision] });
      }
      case 'reconciliation':
        return this.#host.persistence.record(planId, { decisions: [this.#reconciliationDecision(planId, emitted)] });
      case 'conflicts': {
        const parentId = this.#host.decisionRootId(planId);
        const decisions = (emitted.settled ?? []).map((settled) =>
          strategyResolutionDecision({ id: newId(), planId, parentId, createdAt: this.#host.now() }, settled),
        );
        const put = (emitted.open ?? []).map(({ file, kind, hunks, edit, paths }) => ({
          planId,
          file,
          child: emitted.child ?? null,
          kind,
          hunks,
          edit,
          ...(paths ? { paths } : {}),
          resolution: null,
        }));
        return this.#host.persistence.record(planId, { decisions, conflicts: { put, closed: emitted.closed ?? [] } });
      }
      case 'merge':
        return this.#host.persistence.record(planId, {
          decisions: [mergeDecision({ id: newId(), planId, createdAt: this.#host.now() }, emitted)],
        });
      case 'checkpoint': {
        const { checkpoint, entry } = this.#host.checkpoints.fromMachine(planId, emitted);
        return this.#host.persistence.record(planId, { checkpoints: [checkpoint], entries: [entry] });
      }
    }
  }

  // the machine says what was reconciled; ids and times are the runtime's (machines stay pure)
  #reconciliationDecision(planId: string, emitted: Extract<PlanEmitted, { type: 'reconciliation' }>): Decision {
    const payload: ReconciliationPayload = {
      enabled: true,
      trigger: emitted.trigger,
      outcome: emitted.outcome,
      ...(emitted.step === undefined ? {} : { step: emitted.step }),
      results: emitted.results,
    };
    return {
      id: newId(),
      planId,
      parentId: emitted.parentId,
      type: 'reconciliation',
      title: reconciliationTitle(emitted.results, emitted.trigger, emitted.step),
      rationale: reconciliationRationale(emitted.results),
      payload,
      actor: this.#host.reconcilerName,
      createdAt: this.#host.now(),
      status: 'active',
    };
  }

  // step events carry the step's title (SPEC §11); the machine knows only its index
  #withStepTitle(planId: string, entry: JournalEntry): JournalEntry {
    if (!entry.type.startsWith('step.') || typeof entry.data.index !== 'number') return entry;
    return {
      ...entry,
      data: {
        index: entry.data.index,
        title: this.#host.memory.stepTitle(planId, entry.data.index) ?? '',
        ...entry.data,
      },
    };
  }
}
