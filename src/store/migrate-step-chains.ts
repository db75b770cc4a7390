import { TroupeError } from '../domain/errors.js';
import { SUBLEVELS, checkpointKey, planRange, stepNodeKey } from './key-layout.js';
import { EMPTY_STEPS, StepChain, type StepPointer } from './step-chain.js';
import { writeOptions, type StoreDatabase } from './store-database.js';

type Fields = Record<string, unknown>;

/**
 * Schema version 1 → 2: step lists move into step chains. Version 1 kept a
 * plan's step list whole under `steps!<planId>` and a whole copy in every
 * checkpoint (`stepIds`); version 2 keeps the plan's list as a pointer into
 * its chain and each checkpoint's likewise (src/store/step-chain.ts).
 *
 * Each plan moves in one atomic batch — its pointer, its nodes and its
 * checkpoints together — so a migration cut short by a crash leaves every
 * plan in one layout or the other, and running it again moves the rest: a
 * plan whose pointer is no longer a list, and checkpoints that no longer
 * hold `stepIds`, are left as they are.
 *
 * @example
 * const migrations = { 1: migrateStepChains };
 */
export async function migrateStepChains(db: StoreDatabase): Promise<void> {
  const steps = db.sublevel<string, string>(SUBLEVELS.steps, { valueEncoding: 'utf8' });
  const checkpoints = db.sublevel<string, string>(SUBLEVELS.checkpoints, { valueEncoding: 'utf8' });
  const lists = new Map<string, string[]>();
  for await (const [planId, text] of steps.iterator()) {
    const value = parse(text, `${steps.prefix}${planId}`);
    if (Array.isArray(value)) lists.set(planId, strings(value, `${steps.prefix}${planId}`));
  }
  // plans whose checkpoints still hold lists, even if their own list has moved (or never existed)
  const planIds = new Set(lists.keys());
  for await (const [key, text] of checkpoints.iterator()) {
    if (Array.isArray((parse(text, checkpoints.prefix + key) as Fields | null)?.stepIds))
      planIds.add(key.slice(0, key.indexOf('!')));
  }
  for (const planId of [...planIds].sort()) await migratePlan(db, planId, lists.get(planId));
}

async function migratePlan(db: StoreDatabase, planId: string, list: string[] | undefined): Promise<void> {
  const steps = db.sublevel<string, unknown>(SUBLEVELS.steps, { valueEncoding: 'json' });
  const nodes = db.sublevel<string, unknown>(SUBLEVELS.stepNodes, { valueEncoding: 'json' });
  const checkpoints = db.sublevel<string, string>(SUBLEVELS.checkpoints, { valueEncoding: 'utf8' });
  const chain = new StepChain();
  const batch = db.batch();
  const written: { pointer: StepPointer; ids: readonly string[] } = { pointer: EMPTY_STEPS, ids: [] };
  // checkpoints in the order they were taken: each list mostly extends the one before, or is a prefix of the plan's
  const previous: { pointer: StepPointer; ids: readonly string[] } = { pointer: EMPTY_STEPS, ids: [] };
  const pointTo = (ids: readonly string[]): StepPointer => {
    const { pointer, added } = chain.point(ids, written, previous);
    if (added) batch.put(stepNodeKey(planId, added[0]), added[1], { sublevel: nodes });
    [previous.pointer, previous.ids] = [pointer, ids];
    return pointer;
  };
  if (list !== undefined) {
    // the plan's own list first: its checkpoints' lists are mostly its prefixes, which cost no node
    written.pointer = pointTo(list);
    written.ids = list;
    batch.put(planId, written.pointer, { sublevel: steps });
  }
  for await (const [key, text] of checkpoints.iterator(planRange(planId))) {
    const value = parse(text, checkpoints.prefix + key);
    if (typeof value !== 'object' || value === null) throw corrupt(checkpoints.prefix + key, 'is not a checkpoint');
    const { stepIds, ...checkpoint } = value as Fields;
    if (!Array.isArray(stepIds)) continue;
    const pointer = pointTo(strings(stepIds, checkpoints.prefix + key));
    batch.put(checkpointKey(planId, key.slice(planId.length + 1)), JSON.stringify({ ...checkpoint, steps: pointer }), {
      sublevel: checkpoints,
    });
  }
  await batch.write(writeOptions(true));
}

function parse(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw corrupt(key, 'is not JSON');
  }
}

function strings(value: unknown[], key: string): string[] {
  if (!value.every((id) => typeof id === 'string')) throw corrupt(key, 'has a step list that is not a list of ids');
  return value as string[];
}

function corrupt(key: string, what: string): TroupeError {
  return new TroupeError('STORE_CORRUPT', `the store cannot move to schema version 2: ${key} ${what}`, {
    hint: 'restore .troupe/db from a backup, or report it if troupe wrote it',
    details: { key },
  });
}
