import { TroupeError, ValidationError } from '../domain/errors.js';
import type { PlanRecord } from '../domain/index.js';
import { AS_TEXT } from './stored-decode.js';
import type { Sublevels } from './store-database.js';

/**
 * Refuse a new plan whose name is taken (`VALIDATION_ERROR`, naming it) or
 * whose id exists (a bug: ids are made fresh). Both are read side by side:
 * one round trip to a database across the network, not two.
 *
 * @example
 * await refuseTaken(parts, creation.record); // then write the creation's batch
 */
export async function refuseTaken(
  parts: Pick<Sublevels, 'names' | 'plans'>,
  record: Pick<PlanRecord, 'id' | 'name'>,
): Promise<void> {
  const [named, made] = await Promise.all([
    parts.names.get<string, string>(record.name, AS_TEXT),
    parts.plans.get<string, string>(record.id, AS_TEXT),
  ]);
  if (named !== undefined) {
    throw new ValidationError([{ path: 'name', message: `a plan named "${record.name}" already exists` }], {
      hint: `choose another name, or see the existing plan with: troupe plan status ${record.name}`,
    });
  }
  if (made !== undefined) {
    throw new TroupeError('INTERNAL_ERROR', `a plan with id ${record.id} already exists`, {
      hint: 'plan ids are made fresh for each plan; this is a bug, please report it',
    });
  }
}
