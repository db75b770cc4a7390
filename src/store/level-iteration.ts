// Reading a range of a sublevel: a chunk of entries at a time, and
// abstract-level's way of saying how many.

// entries a chunk: one pause per chunk, not per entry, in a listing of thousands
const CHUNK = 1000;

/**
 * An iterator's entries a chunk at a time (one pause per chunk, not per
 * entry), closed at the end or on a break.
 *
 * @example
 * for await (const chunk of chunksOf(parts.plans.iterator<string, string>(AS_TEXT))) for (const [id, text] of chunk) use(id, text);
 */
export async function* chunksOf<K, V>(iterator: {
  nextv(size: number): Promise<[K, V][]>;
  close(): Promise<void>;
}): AsyncGenerator<[K, V][]> {
  try {
    for (;;) {
      const chunk = await iterator.nextv(CHUNK);
      if (chunk.length === 0) return;
      yield chunk;
    }
  } finally {
    await iterator.close();
  }
}

/**
 * A limit as abstract-level takes it: a whole number, -1 for no limit.
 *
 * @example
 * parts.plans.keys({ gte: prefix, limit: iteratorLimit(limit) });
 */
export function iteratorLimit(limit: number | undefined): number {
  return limit === undefined || !Number.isFinite(limit) ? -1 : Math.ceil(limit);
}
