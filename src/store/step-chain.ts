// A plan's step lists, stored as an append-only chain of nodes (DESIGN §4,
// docs/explanation/architecture.md "Step lists and checkpoints"). Every list a plan has
// had — its own now, and the one each checkpoint holds — is a pointer into
// the chain: `{ node, count }`, the first `count` ids of the node's list,
// where a node's list is its `prev` node's list followed by its own ids.
// Nodes are never rewritten, so a checkpoint taken before a rollback still
// finds its list after the plan went back and took other steps; and a list
// that grew by one step costs one node of one id, not a copy of the list.

/** One stored node: the ids it adds after the list of node `prev` (null: after nothing). */
export interface StepNode {
  prev: number | null;
  ids: string[];
}

/** A list in the chain: the first `count` ids of the list of `node` (null: the empty list). */
export interface StepPointer {
  node: number | null;
  count: number;
}

interface KnownNode extends StepNode {
  /** The length of the node's whole list. */
  length: number;
}

/** The empty list, which needs no node. */
export const EMPTY_STEPS: StepPointer = Object.freeze({ node: null, count: 0 });

/**
 * The nodes of one plan's chain, as read or written, with what it takes to
 * point at a list: reuse a pointer when the list is known, else add one
 * node holding what the list has past its longest prefix already stored.
 *
 * @example
 * const chain = new StepChain();
 * const { pointer, added } = chain.point(['a', 'b']); // added: [[0, { prev: null, ids: ['a', 'b'] }]]
 * chain.point(['a']).pointer; // { node: 0, count: 1 }: a prefix costs nothing
 */
export class StepChain {
  readonly #nodes = new Map<number, KnownNode>();
  #next = 0;

  /** Load a stored node (in any order: a node's `prev` must be loaded before a list is read through it). */
  load(seq: number, node: StepNode): void {
    this.#nodes.set(seq, { prev: node.prev, ids: node.ids, length: -1 });
    this.#next = Math.max(this.#next, seq + 1);
  }

  /** Whether the chain holds this node. */
  has(seq: number): boolean {
    return this.#nodes.has(seq);
  }

  /**
   * The list a pointer names, or null when a node it goes through is
   * missing or the pointer asks for more ids than the node's list holds.
   */
  list(pointer: StepPointer): string[] | null {
    if (pointer.node === null) return pointer.count === 0 ? [] : null;
    const chunks: string[][] = [];
    for (let at: number | null = pointer.node; at !== null;) {
      const node = this.#nodes.get(at);
      // a missing node, or one that does not follow its prev (a loop): the stored chain is damaged
      if (!node || (node.prev !== null && node.prev >= at)) return null;
      chunks.push(node.ids);
      at = node.prev;
    }
    const ids: string[] = [];
    for (let index = chunks.length - 1; index >= 0; index--) for (const id of chunks[index]!) ids.push(id);
    return pointer.count <= ids.length ? (pointer.count === ids.length ? ids : ids.slice(0, pointer.count)) : null;
  }

  /**
   * A pointer to `ids`, given lists it probably shares a prefix with
   * (`nears`, each with its pointer): a near list's pointer when `ids` is
   * that list or a prefix of it, else one new node after the deepest node
   * of their chains that `ids` starts with. `added` is the node to write
   * with it, if any.
   */
  point(
    ids: readonly string[],
    ...nears: { pointer: StepPointer; ids: readonly string[] }[]
  ): { pointer: StepPointer; added: [number, StepNode] | null } {
    if (ids.length === 0) return { pointer: EMPTY_STEPS, added: null };
    let base: number | null = null;
    let start = 0;
    for (const near of nears) {
      let shared = 0;
      const limit = Math.min(ids.length, near.ids.length);
      while (shared < limit && ids[shared] === near.ids[shared]) shared++;
      if (shared === ids.length) return { pointer: { node: near.pointer.node, count: ids.length }, added: null };
      // the deepest node along near's chain whose whole list is a prefix of ids
      let at: number | null = near.pointer.node;
      while (at !== null && this.#length(at) > shared) at = this.#nodes.get(at)?.prev ?? null;
      const length = at === null ? 0 : this.#length(at);
      if (length > start) [base, start] = [at, length];
    }
    const seq = this.#next++;
    const node: StepNode = { prev: base, ids: ids.slice(start) };
    this.#nodes.set(seq, { ...node, length: ids.length });
    return { pointer: { node: seq, count: ids.length }, added: [seq, node] };
  }

  // the length of a node's whole list, computed once (without recursion: a chain is as long as the plan's steps)
  #length(seq: number): number {
    const pending: KnownNode[] = [];
    let known = 0;
    for (let at: number | null = seq; at !== null;) {
      const node = this.#nodes.get(at);
      // a node always follows its prev: one that does not is damage, not a list
      if (!node || (node.prev !== null && node.prev >= at)) break;
      if (node.length >= 0) {
        known = node.length;
        break;
      }
      pending.push(node);
      at = node.prev;
    }
    for (let index = pending.length - 1; index >= 0; index--) {
      const node = pending[index]!;
      known += node.ids.length;
      node.length = known;
    }
    return this.#nodes.get(seq)?.length ?? 0;
  }
}
