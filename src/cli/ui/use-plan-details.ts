import { useEffect, useEffectEvent, useState } from 'react';
import type { Runtime } from '../../runtime/index.js';
import { readDetails } from './load.js';
import { errorText } from './messages.js';
import type { PlanDetails } from './model.js';
import { isOutage } from './store-outage.js';

/**
 * The details of the selected plan, read again when the selection or
 * `version` changes; what was read last until then (check its `id`). An
 * error is told to `say`, but an outage: the tree's reading says that once.
 *
 * @example
 * const details = usePlanDetails(runtime, selected?.id, version, setMessage);
 */
export function usePlanDetails(
  runtime: Runtime,
  selectedId: string | undefined,
  version: number,
  say: (message: string) => void,
): PlanDetails | null {
  const [details, setDetails] = useState<PlanDetails | null>(null);
  const tell = useEffectEvent(say);
  // by id, not by row: the row is a new object on every render, and the same plan needs no new read
  useEffect(() => {
    if (selectedId === undefined) return;
    let current = true;
    readDetails(runtime, selectedId).then(
      (read) => current && setDetails(read),
      (error: unknown) => current && !isOutage(error) && tell(errorText(error)),
    );
    return () => void (current = false);
  }, [runtime, selectedId, version]);
  return details;
}
