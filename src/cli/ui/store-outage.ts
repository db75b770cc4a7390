import { useEffect, useRef, type RefObject } from 'react';
import type { Runtime } from '../../runtime/index.js';
import { isOutage } from '../store-outages.js';

export { isOutage };

/**
 * Whether the store is away (a PostgreSQL server restarting), for `troupe
 * ui`: no event comes while it is, so a light read every 3 s notices it
 * going and coming back and calls `reread` then; the view's own reads set
 * and clear the flag as they fail and succeed.
 *
 * @example
 * const away = useStoreOutage(runtime, () => setVersion((now) => now + 1));
 */
export function useStoreOutage(runtime: Runtime, reread: () => void): RefObject<boolean> {
  const away = useRef(false);
  useEffect(() => {
    const timer = setInterval(() => {
      runtime.listProjects().then(
        () => away.current && reread(),
        (error: unknown) => isOutage(error) && !away.current && reread(),
      );
    }, 3_000);
    return () => clearInterval(timer);
  }, [runtime]);
  return away;
}
