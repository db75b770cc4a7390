import type { Runtime } from '../runtime/index.js';

/**
 * The names of the plans `ids` name, for a message that would otherwise
 * print ids: people know their plans by name. A plan whose record is gone
 * keeps its id.
 *
 * @example
 * const names = await planNames(runtime, result.childPlansInvalidated);
 * names.get(id); // 'demo/fan-2'
 */
export async function planNames(
  runtime: Pick<Runtime, 'getPlan'>,
  ids: readonly string[],
): Promise<ReadonlyMap<string, string>> {
  const pairs = await Promise.all(
    ids.map(
      async (id) =>
        [
          id,
          await runtime.getPlan(id).then(
            (record) => record.name,
            () => id,
          ),
        ] as const,
    ),
  );
  return new Map(pairs);
}
