import { useEffect, useEffectEvent, useRef, useState, type RefObject } from 'react';
import { isTerminalStatus, type PlanRecord } from '../../domain/index.js';
import type { Runtime } from '../../runtime/index.js';
import { readLive, readPlans } from './load.js';
import { errorText } from './messages.js';
import { isOutage, useStoreOutage } from './store-outage.js';

/** The plans `troupe ui` shows, as last read, and when they were. */
export interface PlanRecords {
  /** Every plan, or null until the first read. */
  records: PlanRecord[] | null;
  /** The processing plans a process drives now: the others are shown stopped (undefined: not known). */
  live: ReadonlySet<string> | undefined;
  /** Bumped by every journal event and timed read: what depends on the plans is read again. */
  version: number;
  /** Root plans seen before they ended: a plan that ends while it is shown stays. */
  seenActive: RefObject<Set<string>>;
}

/**
 * The plans of `runtime`, read again on every journal event
 * (`subscribe('*')`), every second while one processes — its step's clock
 * and output move, and a process that dies says so by no event — and every
 * 2 s while the store is away. What goes wrong is told to `say`.
 *
 * @example
 * const { records, live, version, seenActive } = usePlanRecords(runtime, setMessage);
 */
export function usePlanRecords(runtime: Runtime, say: (message: string) => void): PlanRecords {
  const [records, setRecords] = useState<PlanRecord[] | null>(null);
  const [live, setLive] = useState<ReadonlySet<string> | undefined>(undefined);
  const [version, setVersion] = useState(0);
  const seenActive = useRef(new Set<string>());
  // said when a read ends, by whatever `say` is then: a new `say` does not read the plans again
  const tell = useEffectEvent(say);

  useEffect(() => runtime.subscribe('*', () => setVersion((current) => current + 1)), [runtime]);
  // the store went away (PostgreSQL restarting): said once, read again every 2 s, and said when it is back
  const away = useStoreOutage(runtime, () => setVersion((now) => now + 1));
  // `away` is the hook's own ref, the same object on every render: listed, it never runs this again
  useEffect(() => {
    let current = true;
    let retry: NodeJS.Timeout | undefined;
    readPlans(runtime).then(
      async (read) => {
        // not known (a host of an older troupe): none is shown stopped
        const driven = await readLive(runtime, read).catch(() => undefined);
        if (!current) return;
        if (away.current) tell('the store is back');
        away.current = false;
        for (const record of read)
          if (record.parentId === null && !isTerminalStatus(record.status)) seenActive.current.add(record.id);
        setRecords(read);
        setLive(driven);
      },
      (error: unknown) => {
        if (!current) return;
        if (!isOutage(error)) return tell(errorText(error));
        if (!away.current) tell(`the store is unavailable (${errorText(error)}); waiting for it`);
        away.current = true;
        retry = setTimeout(() => setVersion((now) => now + 1), 2_000);
      },
    );
    return () => {
      current = false;
      clearTimeout(retry);
    };
  }, [runtime, version, away]);

  const processing = records?.some((record) => record.status === 'processing') === true;
  useEffect(() => {
    if (!processing) return;
    const timer = setInterval(() => setVersion((current) => current + 1), 1_000);
    return () => clearInterval(timer);
  }, [processing]);

  return { records, live, version, seenActive };
}
