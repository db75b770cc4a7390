import { NotFoundError, ValidationError } from '../domain/errors.js';
import { isUlid } from '../domain/ids.js';
import { isPlanName } from '../domain/names.js';
import { closestMatch } from '../domain/suggest.js';
import type { Store } from './index.js';

/**
 * The id of the plan `ref` names (SPEC §2): a plan id (any case), a full
 * name (`namespace/name`), or a unique id prefix of at least 6 characters.
 * `NOT_FOUND` when none matches: the message names the project the store
 * belongs to (`projectRoot`: a plan run in another checkout is
 * the commonest reason), the hint the closest plan name when one is close
 * (`did you mean demo/hello?`), and `details` carry `{ref, projectRoot,
 * suggestion}`; `VALIDATION_ERROR` for a malformed or ambiguous reference.
 *
 * @example
 * const id = await resolvePlanRef(store, 'demo/hello', '/path/to/project');
 */
export async function resolvePlanRef(store: Store, ref: string, projectRoot?: string): Promise<string> {
  if (typeof ref !== 'string' || ref.trim() === '' || ref.length > 200) {
    throw new ValidationError([
      {
        path: 'plan',
        message: 'must be a plan id, a plan name (namespace/name) or an id prefix of at least 6 characters',
      },
    ]);
  }
  const text = ref.trim();
  const upper = text.toUpperCase();
  if (isUlid(upper) && (await store.getPlan(upper))) return upper;
  if (isPlanName(text)) {
    const id = await store.getPlanIdByName(text);
    if (id) return id;
  } else if (/^[0-9A-Za-z]{6,25}$/.test(text)) {
    const ids = await store.findPlanIdsByPrefix(upper, 2);
    if (ids.length === 1) return ids[0]!;
    if (ids.length > 1) {
      throw new ValidationError([{ path: 'plan', message: `id prefix "${text}" matches more than one plan` }], {
        hint: 'give more characters of the id, or the plan name',
      });
    }
  }
  const suggestion = await closestPlanName(store, text);
  const hint = `${suggestion === null ? '' : `did you mean ${suggestion}? `}troupe plan list --all shows the plans`;
  if (projectRoot === undefined) throw new NotFoundError('plan', text, hint);
  throw new NotFoundError('plan', text, hint, { in: projectRoot, details: { ref: text, projectRoot, suggestion } });
}

// the closest name for a mistyped name, or a name given without its namespace; null when none is close
async function closestPlanName(store: Store, text: string): Promise<string | null> {
  if (!/^[\w./-]+$/.test(text)) return null;
  const names = (await store.listPlans()).map((plan) => plan.name);
  const short = names.filter((name) => name.slice(name.indexOf('/') + 1) === text);
  return short.length === 1 ? short[0]! : closestMatch(text, names);
}
