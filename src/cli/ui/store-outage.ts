import { useEffect, useEffectEvent, useRef, type RefObject } from 'react';
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
  // the `reread` of the latest render, called from the timer: a caller's new function on each
  // render must not restart the timer, which a view redrawn every second would then never fire
  const onChange = useEffectEvent(reread);
  useEffect(() => {
    const timer = setInterval(() => {
      runtime.listProjects().then(
        () => away.current && onChange(),
        (error: unknown) => isOutage(error) && !away.current && onChange(),
      );
    }, 3_000);
    return () => clearInterval(timer);
  }, [runtime]);
  return away;
}
