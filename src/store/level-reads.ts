// The reads of a LevelBackedStore: every value decoded and checked as it is
// read (a damaged one is STORE_CORRUPT naming its key), and step lists
// followed through their plan's chain (step-chain-reads.ts). The store hands
// its reads here — but the journal's and the logs' (journal-reads.ts) — and
// its writes to level-writes.ts, which plan into the same step chains.
import type { z } from 'zod';
import { TroupeError } from '../domain/errors.js';
import { quickStoredPlanRecord, type StoredPlanRecord } from '../domain/plan-record-shape.js';
import type {
  Changeset,
  Checkpoint,
  ConflictRecord,
  Decision,
  PlanRecord,
  PlanSpec,
  ProjectRecord,
} from '../domain/index.js';
import { checkpointKey, decisionKey, planRange } from './key-layout.js';
import { chunksOf, iteratorLimit } from './level-iteration.js';
import { StepChainReads } from './step-chain-reads.js';
import type { StepChainReader, StepLists } from './step-lists.js';
import type { Store, StoredSnapshot } from './store.js';
import type { Sublevel, Sublevels } from './store-database.js';
import {
  AS_TEXT,
  decodeStored,
  loadedSchemas,
  quickPointer,
  quickString,
  quickly,
  storedSchemas,
  type StoredSchemas,
} from './stored-decode.js';
import { decodeStoredValue, type StoredValueSubject } from './stored-value.js';

type StoredCheckpoint = z.output<StoredSchemas['storedCheckpointSchema']>;

/** What {@link LevelReads} reads through. */
export interface LevelReadsSettings {
  readonly kind: Store['kind'];
  /** The open database's sublevels; throws when the store is not open. */
  readonly parts: () => Sublevels;
  /** Hears of each plan record {@link LevelReads.listPlans} skips because it is corrupt. */
  readonly onCorrupt?: ((error: TroupeError) => void) | undefined;
}

/**
 * The reads of a LevelBackedStore, over the sublevels of its open
 * database. It keeps the plans' step chains as read or written, so the
 * store's writes plan theirs in {@link LevelReads.steps} too.
 *
 * @example
 * const reads = new LevelReads({ kind: 'memory', parts: () => sublevels });
 * const plan = await reads.getPlan(planId);
 */
export class LevelReads {
  /** The plans' step chains as read or written: a step adds a node without reading the chain. */
  readonly steps: StepLists;
  readonly #chains: StepChainReads;
  readonly #parts: () => Sublevels;
  readonly #onCorrupt: ((error: TroupeError) => void) | undefined;

  constructor(settings: LevelReadsSettings) {
    this.#chains = new StepChainReads(settings.kind, settings.parts);
    this.steps = this.#chains.steps;
    this.#parts = settings.parts;
    this.#onCorrupt = settings.onCorrupt;
  }

  async getPlan(planId: string): Promise<PlanRecord | null> {
    const parts = this.#parts();
    // the record and its step pointer in one read: one round trip on PostgreSQL, where a plan followed from
    // another process (a child on a worker, its parent) is read at every change
    const [recordText, pointerText] = await readTogether([parts.plans, planId], [parts.steps, planId]);
    if (recordText === undefined) return null;
    const stepsSubject = this.#subject(parts.steps, planId, `step list of plan ${planId}`, planId);
    const [record, pointer] = await Promise.all([
      decodeStored(
        recordText,
        (known) => known.storedRecordSchema,
        this.#subject(parts.plans, planId, `plan ${planId}`, planId),
        quickStoredPlanRecord,
      ),
      pointerText === undefined
        ? null
        : decodeStored(pointerText, (known) => known.stepPointerSchema, stepsSubject, quickPointer),
    ]);
    // the chain, when it is read, needs no second read of the pointer just read
    const ids = await this.#chains.listAt(planId, pointer, stepsSubject, (id) => this.#chains.readChain(id, pointer));
    return withSteps(record, ids);
  }

  async getPlanIdByName(name: string): Promise<string | null> {
    return this.#read(
      this.#parts().names,
      name,
      (known) => known.planIdSchema,
      { what: `name "${name}"` },
      quickString,
    );
  }

  async findPlanIdsByPrefix(prefix: string, limit: number): Promise<string[]> {
    if (!(limit > 0)) return [];
    const wanted = prefix.toUpperCase();
    const ids: string[] = [];
    // keys from the prefix on: those that match come first and together
    for await (const id of this.#parts().plans.keys({ gte: wanted, limit: iteratorLimit(limit) })) {
      if (!id.startsWith(wanted)) break;
      ids.push(id);
    }
    return ids;
  }

  /** Every readable plan record, oldest first; a corrupt one goes to `onCorrupt` instead. */
  async listPlans(): Promise<PlanRecord[]> {
    const records: PlanRecord[] = [];
    for await (const entry of this.#scanPlans()) {
      if (entry instanceof TroupeError) this.#onCorrupt?.(entry);
      else records.push(entry);
    }
    return records;
  }

  /** A `STORE_CORRUPT` error for each plan record {@link listPlans} leaves out, oldest first. */
  async listCorruptPlans(): Promise<TroupeError[]> {
    const errors: TroupeError[] = [];
    for await (const entry of this.#scanPlans()) if (entry instanceof TroupeError) errors.push(entry);
    return errors;
  }

  async getSpec(planId: string): Promise<PlanSpec | null> {
    return this.#read(this.#parts().specs, planId, (known) => known.planFileSchema, {
      what: `plan file of plan ${planId}`,
      planId,
    });
  }

  async getSnapshot(planId: string): Promise<StoredSnapshot | null> {
    const stored = await this.#read(this.#parts().snapshots, planId, (known) => known.storedSnapshotSchema, {
      what: `snapshot of plan ${planId}`,
      planId,
    });
    return stored && { machineVersion: stored.machineVersion, snapshot: stored.snapshot };
  }

  async getDecision(planId: string, decisionId: string): Promise<Decision | null> {
    return this.#read(this.#parts().decisions, decisionKey(planId, decisionId), (known) => known.decisionSchema, {
      what: `decision ${decisionId} of plan ${planId}`,
      planId,
    });
  }

  async listDecisions(planId: string): Promise<Decision[]> {
    const { decisionSchema } = loadedSchemas() ?? (await storedSchemas());
    const sublevel = this.#parts().decisions;
    const decisions: Decision[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>({ ...planRange(planId), ...AS_TEXT })) {
      const decisionId = key.slice(planId.length + 1);
      decisions.push(
        decodeStoredValue(
          decisionSchema,
          text,
          this.#subject(sublevel, key, `decision ${decisionId} of plan ${planId}`, planId),
        ),
      );
    }
    return decisions;
  }

  async getChangeset(changesetId: string): Promise<Changeset | null> {
    return this.#read(this.#parts().changesets, changesetId, (known) => known.changesetSchema, {
      what: `changeset ${changesetId}`,
    });
  }

  async listConflicts(planId: string): Promise<ConflictRecord[]> {
    const { conflictRecordSchema } = loadedSchemas() ?? (await storedSchemas());
    const sublevel = this.#parts().conflicts;
    const conflicts: ConflictRecord[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>({ ...planRange(planId), ...AS_TEXT })) {
      const file = key.slice(planId.length + 1);
      conflicts.push(
        decodeStoredValue(
          conflictRecordSchema,
          text,
          this.#subject(sublevel, key, `conflict on ${file} of plan ${planId}`, planId),
        ),
      );
    }
    return conflicts;
  }

  async getCheckpoint(planId: string, checkpointId: string): Promise<Checkpoint | null> {
    const sublevel = this.#parts().checkpoints;
    const key = checkpointKey(planId, checkpointId);
    const subject = this.#subject(sublevel, key, `checkpoint ${checkpointId} of plan ${planId}`, planId);
    const stored = await this.#read(sublevel, key, (known) => known.storedCheckpointSchema, subject);
    return stored && this.#checkpointOf(stored, subject);
  }

  async listCheckpoints(planId: string): Promise<Checkpoint[]> {
    const { storedCheckpointSchema } = loadedSchemas() ?? (await storedSchemas());
    const sublevel = this.#parts().checkpoints;
    const checkpoints: Checkpoint[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>({ ...planRange(planId), ...AS_TEXT })) {
      const subject = this.#subject(
        sublevel,
        key,
        `checkpoint ${key.slice(planId.length + 1)} of plan ${planId}`,
        planId,
      );
      checkpoints.push(await this.#checkpointOf(decodeStoredValue(storedCheckpointSchema, text, subject), subject));
    }
    return checkpoints;
  }

  // a stored checkpoint with its step list read through the plan's chain
  async #checkpointOf(stored: StoredCheckpoint, subject: StoredValueSubject): Promise<Checkpoint> {
    const { steps, ...checkpoint } = stored;
    return { ...checkpoint, stepIds: (await this.#chains.listAt(stored.planId, steps, subject)) as string[] };
  }

  async getProject(name: string): Promise<ProjectRecord | null> {
    return this.#read(this.#parts().projects, name, (known) => known.projectRecordSchema, { what: `project ${name}` });
  }

  async listProjects(): Promise<ProjectRecord[]> {
    const { projectRecordSchema } = loadedSchemas() ?? (await storedSchemas());
    const sublevel = this.#parts().projects;
    const projects: ProjectRecord[] = [];
    for await (const [key, text] of sublevel.iterator<string, string>(AS_TEXT)) {
      projects.push(
        decodeStoredValue(projectRecordSchema, text, { what: `project ${key}`, key: sublevel.prefix + key }),
      );
    }
    return projects;
  }

  async #read<S extends z.ZodType>(
    sublevel: Sublevel,
    key: string,
    schema: (known: StoredSchemas) => S,
    subject: Omit<StoredValueSubject, 'key'>,
    quick?: (value: unknown) => z.output<S> | undefined,
  ): Promise<z.output<S> | null> {
    const text = await sublevel.get<string, string>(key, AS_TEXT);
    return text === undefined ? null : decodeStored(text, schema, { ...subject, key: sublevel.prefix + key }, quick);
  }

  // Every plan record with its step list, in id order: a listing of 10,000
  // plans reads each sublevel in chunks (not an await per entry), takes what
  // a quick check vouches for without a pause, and hands a plan with no
  // steps an empty list without loading its chain — so listing many plans
  // costs a few scans, not reads per plan.
  async *#scanPlans(): AsyncGenerator<PlanRecord | TroupeError> {
    const { plans, steps, stepNodes } = this.#parts();
    const pointerTexts = new Map<string, string>();
    for await (const chunk of chunksOf(steps.iterator<string, string>(AS_TEXT)))
      for (const [planId, text] of chunk) pointerTexts.set(planId, text);
    // every plan's chain in one scan, not a range read per plan
    const nodeTexts = new Map<string, [string, string][]>();
    for await (const chunk of chunksOf(stepNodes.iterator<string, string>(AS_TEXT))) {
      for (const [key, text] of chunk) {
        const planId = key.slice(0, key.indexOf('!'));
        let entries = nodeTexts.get(planId);
        if (!entries) nodeTexts.set(planId, (entries = []));
        entries.push([key, text]);
      }
    }
    for await (const chunk of chunksOf(plans.iterator<string, string>(AS_TEXT))) {
      for (const [planId, text] of chunk) {
        try {
          const record: StoredPlanRecord =
            quickly(text, quickStoredPlanRecord) ??
            (await decodeStored(
              text,
              (known) => known.storedRecordSchema,
              this.#subject(plans, planId, `plan ${planId}`, planId),
            ));
          const pointerText = pointerTexts.get(planId);
          const pointer =
            pointerText === undefined
              ? null
              : (quickly(pointerText, quickPointer) ??
                (await decodeStored(
                  pointerText,
                  (known) => known.stepPointerSchema,
                  this.#subject(steps, planId, `step list of plan ${planId}`, planId),
                )));
          if (pointer === null || (pointer.count === 0 && pointer.node === null)) {
            yield withSteps(record, []);
            continue;
          }
          const subject = this.#subject(steps, planId, `step list of plan ${planId}`, planId);
          const scanned: StepChainReader = async () => ({
            nodes: await this.#chains.decodeNodes(planId, nodeTexts.get(planId) ?? []),
            pointer,
          });
          yield withSteps(record, await this.#chains.listAt(planId, pointer, subject, scanned));
        } catch (error) {
          if (error instanceof TroupeError && error.code === 'STORE_CORRUPT') yield error;
          else throw error;
        }
      }
    }
  }

  #subject(sublevel: Sublevel, key: string, what: string, planId: string): StoredValueSubject {
    return { what, key: sublevel.prefix + key, planId };
  }
}

// the values of keys of several sublevels, as text, in one read of the database they share (one round trip on PostgreSQL)
function readTogether(...entries: [Sublevel, string][]): Promise<(string | undefined)[]> {
  return entries[0]![0].db.getMany<string, string>(
    entries.map(([sublevel, key]) => sublevel.prefix + key),
    AS_TEXT,
  );
}

// a record just decoded (a fresh object) with its step list: a spread of its two dozen fields costs more than the decode on Node 20
function withSteps(record: StoredPlanRecord, ids: readonly string[]): PlanRecord {
  const full = record as PlanRecord;
  full.strategyDecisionIds = ids as string[];
  return full;
}
