// A plan's step lists read from a LevelBackedStore through its step chain
// (src/store/step-chain.ts): the pointer a record or checkpoint stores
// names a node of the chain and a count, and the chain, read once, is kept
// in StepLists so a step adds a node without reading it again.
import { TroupeError } from '../domain/errors.js';
import type { Store } from './store.js';
import { planRange, seqOfEventKey } from './key-layout.js';
import type { StepNode, StepPointer } from './step-chain.js';
import { StepLists, type StepChainReader } from './step-lists.js';
import type { Sublevels } from './store-database.js';
import { AS_TEXT, decodeStored, quickNode, quickPointer } from './stored-decode.js';
import type { StoredValueSubject } from './stored-value.js';

/**
 * The step chains of a store's plans, read through the sublevels of its
 * open database and kept in {@link StepChainReads.steps}.
 *
 * @example
 * const chains = new StepChainReads('memory', () => sublevels);
 * const ids = await chains.listAt(planId, pointer, subject);
 */
export class StepChainReads {
  /** The plans' step chains as read or written: a step adds a node without reading the chain. */
  readonly steps = new StepLists((planId) => this.readChain(planId));
  readonly #kind: Store['kind'];
  readonly #parts: () => Sublevels;

  constructor(kind: Store['kind'], parts: () => Sublevels) {
    this.#kind = kind;
    this.#parts = parts;
  }

  /**
   * The list a stored pointer names, through the plan's chain (read once,
   * by `read` when given); `STORE_CORRUPT` when it cannot be followed.
   */
  async listAt(
    planId: string,
    pointer: StepPointer | null,
    subject: StoredValueSubject,
    read?: StepChainReader,
  ): Promise<readonly string[]> {
    if (pointer === null) return [];
    const steps = await this.steps.of(planId, read);
    const ids = this.steps.list(planId, steps, pointer);
    if (ids !== null) return ids;
    // a store other processes write (PostgreSQL): the plan's chain grew elsewhere since it was read here
    if (this.#kind === 'postgres') {
      this.steps.forget(planId);
      const again = this.steps.list(planId, await this.steps.of(planId, read), pointer);
      if (again !== null) return again;
    }
    throw new TroupeError(
      'STORE_CORRUPT',
      `the ${subject.what} names ${pointer.count} step(s) of node ${pointer.node} of its step chain, which the store does not hold`,
      {
        hint: 'restore .troupe/db from a backup, or report it if troupe wrote it',
        details: { key: subject.key, planId },
      },
    );
  }

  /**
   * A plan's step chain as stored: every node, and its pointer — read
   * after the nodes unless `pointer` is the one just read.
   */
  // nodes are only added, and written with the pointer that first names them,
  // so the nodes read after a pointer hold every node it names
  async readChain(
    planId: string,
    pointer?: StepPointer | null,
  ): Promise<{ nodes: [number, StepNode][]; pointer: StepPointer | null }> {
    const entries: [string, string][] = [];
    for await (const entry of this.#parts().stepNodes.iterator<string, string>({ ...planRange(planId), ...AS_TEXT }))
      entries.push(entry);
    return {
      nodes: await this.decodeNodes(planId, entries),
      pointer: pointer === undefined ? await this.#readPointer(planId) : pointer,
    };
  }

  /** The nodes of a plan's chain from their stored entries; a damaged one is `STORE_CORRUPT` naming its key. */
  async decodeNodes(planId: string, entries: readonly [string, string][]): Promise<[number, StepNode][]> {
    const sublevel = this.#parts().stepNodes;
    const nodes: [number, StepNode][] = [];
    for (const [key, text] of entries) {
      const seq = seqOfEventKey(key);
      nodes.push([
        seq,
        await decodeStored(
          text,
          (known) => known.stepNodeSchema,
          { what: `node ${seq} of the step chain of plan ${planId}`, key: sublevel.prefix + key, planId },
          quickNode,
        ),
      ]);
    }
    return nodes;
  }

  async #readPointer(planId: string): Promise<StepPointer | null> {
    const sublevel = this.#parts().steps;
    const text = await sublevel.get<string, string>(planId, AS_TEXT);
    return text === undefined
      ? null
      : decodeStored(
          text,
          (known) => known.stepPointerSchema,
          { what: `step list of plan ${planId}`, planId, key: sublevel.prefix + planId },
          quickPointer,
        );
  }
}
