// Which worker holds a plan (docs/how-to/scale-out.md, "Who holds a child"): one
// value per plan under `!hold!<planId>`, rewritten by the worker's
// heartbeat. Kept apart from the plan record, which only transitions write:
// a heartbeat every few seconds must not rewrite the record.
import type { PlanHolder } from '../domain/index.js';
import type { Put } from './plan-batches.js';
import type { Sublevels } from './store-database.js';
import { AS_TEXT, loadedSchemas, storedSchemas } from './stored-decode.js';
import { decodeStoredValue } from './stored-value.js';

/** The holder of `planId`, or null; a damaged one is `STORE_CORRUPT` naming its key. */
export async function readHolder(parts: Sublevels, planId: string): Promise<PlanHolder | null> {
  const text = await parts.holders.get<string, string>(planId, AS_TEXT);
  if (text === undefined) return null;
  const { planHolderSchema } = loadedSchemas() ?? (await storedSchemas());
  return decodeStoredValue(planHolderSchema, text, {
    what: `holder of plan ${planId}`,
    key: parts.holders.prefix + planId,
  });
}

/** Every holder, by plan id; a damaged one is `STORE_CORRUPT` naming its key. */
export async function readHolders(parts: Sublevels): Promise<PlanHolder[]> {
  const { planHolderSchema } = loadedSchemas() ?? (await storedSchemas());
  const holders: PlanHolder[] = [];
  for await (const [planId, text] of parts.holders.iterator<string, string>(AS_TEXT)) {
    holders.push(
      decodeStoredValue(planHolderSchema, text, {
        what: `holder of plan ${planId}`,
        key: parts.holders.prefix + planId,
      }),
    );
  }
  return holders;
}

/** The write of a holder, checked by its schema first (a bug in the caller writes nothing). */
export async function holderPut(parts: Sublevels, holder: PlanHolder): Promise<Put> {
  const { planHolderSchema } = loadedSchemas() ?? (await storedSchemas());
  return { type: 'put', sublevel: parts.holders, key: holder.planId, value: planHolderSchema.parse(holder) };
}

/**
 * The delete of `holder`'s record when the store still names that worker
 * (same name, host, pid and since), or null: another worker that took the
 * plan since keeps its own.
 */
export async function holderDelete(parts: Sublevels, holder: PlanHolder): Promise<Put | null> {
  const stored = await readHolder(parts, holder.planId).catch(() => null);
  if (
    stored === null ||
    stored.worker !== holder.worker ||
    stored.host !== holder.host ||
    stored.pid !== holder.pid ||
    stored.since !== holder.since
  )
    return null;
  return { type: 'del', sublevel: parts.holders, key: holder.planId };
}
