import { EMPTY_STEPS, StepChain, type StepNode, type StepPointer } from './step-chain.js';

/** What the store knows of one plan's step lists: its chain, and its own list now. */
export interface PlanSteps {
  chain: StepChain;
  pointer: StepPointer;
  ids: readonly string[];
}

/** The step-chain writes of one transition, and the pointers they give. */
export interface PlannedSteps {
  /** The plan's list after the transition. */
  pointer: StepPointer;
  ids: readonly string[];
  /** Whether the plan's pointer changed (its key is written). */
  moved: boolean;
  /** The pointer of each checkpoint's list, in the transition's order. */
  checkpoints: StepPointer[];
  /** Nodes to write. */
  nodes: [number, StepNode][];
}

/** Reads a plan's stored chain: its nodes, and where its own list is (null: no pointer stored). */
export type StepChainReader = (planId: string) => Promise<{ nodes: [number, StepNode][]; pointer: StepPointer | null }>;

/**
 * The step chains of the plans a store has read or written, kept so a
 * transition that adds a step writes one node without reading the chain
 * (this process is the store's only writer). A list the store hands out is
 * frozen and remembered with its pointer, so writing it back — a rollback
 * sets a plan's list to its checkpoint's — costs no node.
 *
 * @example
 * const lists = new StepLists(readChain);
 * const steps = await lists.of(planId);
 * const planned = lists.plan(planId, steps, record.strategyDecisionIds, []);
 */
export class StepLists {
  readonly #plans = new Map<string, PlanSteps>();
  readonly #handedOut = new WeakMap<readonly string[], { planId: string; pointer: StepPointer }>();
  readonly #read: StepChainReader;

  constructor(read: StepChainReader) {
    this.#read = read;
  }

  /**
   * A plan's chain: as known, else read (by `read` when given: a caller that
   * scanned every plan's nodes at once). A chain that cannot be read throws
   * what the reader threw.
   */
  async of(planId: string, read: StepChainReader = this.#read): Promise<PlanSteps> {
    const known = this.#plans.get(planId);
    if (known) return known;
    const { nodes, pointer } = await read(planId);
    // another call got there first (a read beside a commit's): its chain may hold nodes planned since, never fewer
    const meanwhile = this.#plans.get(planId);
    if (meanwhile) return meanwhile;
    const chain = new StepChain();
    for (const [seq, node] of nodes) chain.load(seq, node);
    const at = pointer ?? EMPTY_STEPS;
    const ids = chain.list(at);
    // a pointer the chain cannot follow is reported by the read that needs it (so it is not taken as the plan's), and not kept
    if (ids === null) return { chain, pointer: EMPTY_STEPS, ids: [] };
    const steps: PlanSteps = { chain, pointer: at, ids: this.#handOut(planId, at, ids) };
    this.#plans.set(planId, steps);
    return steps;
  }

  /** Whether `of` would need no read. */
  knows(planId: string): boolean {
    return this.#plans.has(planId);
  }

  /** The chain of a plan being created: nothing stored yet. */
  fresh(planId: string): PlanSteps {
    const steps: PlanSteps = { chain: new StepChain(), pointer: EMPTY_STEPS, ids: [] };
    this.#plans.set(planId, steps);
    return steps;
  }

  /**
   * The list a pointer names, frozen and remembered, or null when the chain
   * cannot follow it (a damaged store).
   */
  list(planId: string, steps: PlanSteps, pointer: StepPointer): readonly string[] | null {
    if (pointer.node === steps.pointer.node && pointer.count === steps.pointer.count) return steps.ids;
    const ids = steps.chain.list(pointer);
    return ids === null ? null : this.#handOut(planId, pointer, ids);
  }

  /**
   * What a transition writes to the chain: the plan's new list and each
   * checkpoint's list as pointers, adding a node only for a list the chain
   * does not hold yet. Adds the nodes to the chain at once: a caller whose
   * write fails must {@link forget} the plan.
   */
  plan(
    planId: string,
    steps: PlanSteps,
    ids: readonly string[],
    checkpointLists: readonly (readonly string[])[],
  ): PlannedSteps {
    const nodes: [number, StepNode][] = [];
    const now = { pointer: steps.pointer, ids: steps.ids };
    const pointTo = (
      list: readonly string[],
      ...nears: { pointer: StepPointer; ids: readonly string[] }[]
    ): StepPointer => {
      const same = nears.find((near) => near.ids === list);
      if (same) return same.pointer;
      const handed = this.#handedOut.get(list);
      if (handed?.planId === planId && (handed.pointer.node === null || steps.chain.has(handed.pointer.node)))
        return handed.pointer;
      const { pointer, added } = steps.chain.point(list, ...nears);
      if (added) nodes.push(added);
      return pointer;
    };
    const pointer = pointTo(ids, now);
    const after = { pointer, ids };
    const checkpoints = checkpointLists.map((list) => pointTo(list, after, now));
    return {
      pointer,
      ids,
      moved: pointer.node !== steps.pointer.node || pointer.count !== steps.pointer.count,
      checkpoints,
      nodes,
    };
  }

  /** A planned transition was written: the plan's list is its list now. */
  wrote(planId: string, steps: PlanSteps, planned: PlannedSteps): void {
    steps.pointer = planned.pointer;
    // the caller's array is kept only when it cannot change under the store
    steps.ids = Object.isFrozen(planned.ids) ? planned.ids : this.#handOut(planId, planned.pointer, [...planned.ids]);
  }

  /** Drop what is known of a plan (deleted, or a write failed half-way through planning). */
  forget(planId: string): void {
    this.#plans.delete(planId);
  }

  /** Drop everything (the store closed). */
  clear(): void {
    this.#plans.clear();
  }

  #handOut(planId: string, pointer: StepPointer, ids: string[]): readonly string[] {
    const frozen = Object.freeze(ids);
    this.#handedOut.set(frozen, { planId, pointer });
    return frozen;
  }
}
