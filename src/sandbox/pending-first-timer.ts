import { performance } from 'node:perf_hooks';

// a timer this much past its time means this process was not running
const LATE_MS = 200;
// how long a late timer waits again, running, before it acts
const GRACE_MS = 500;
// a process late on every wait (starved, not stopped) still acts in the end
const MAX_GRACES = 10;

/**
 * Run `action` after `ms` — but only once what arrived meanwhile (a pipe's
 * data, a child's exit, a message) has been read.
 *
 * Why: when this process is stopped (`SIGSTOP`, a paused VM, a blocked
 * event loop) past a timer, Node runs the overdue timer before it reads the
 * I/O that came in while it was stopped, and a child's exit and the end of
 * its output may take several turns of the loop to come through. A deadline
 * on a child's answer would then say "no answer" to a child that answered in
 * time. So a timer that fires late waits again, half a second of running,
 * before it acts.
 *
 * @returns a function that cancels the timer (and whatever wait follows it).
 *
 * @example
 * const cancel = afterPendingIo(5_000, () => fail('it did not answer within 5 s'));
 * child.once('message', () => cancel());
 */
export function afterPendingIo(ms: number, action: () => void): () => void {
  let timer: NodeJS.Timeout | null = null;
  let immediate: NodeJS.Immediate | null = null;
  let cancelled = false;
  const arm = (wait: number, graces: number): void => {
    const due = performance.now() + wait;
    timer = setTimeout(() => {
      timer = null;
      if (performance.now() - due > LATE_MS && graces < MAX_GRACES) return arm(GRACE_MS, graces + 1);
      // on time: what came in has been read, bar this very turn's
      immediate = setImmediate(() => {
        immediate = null;
        if (!cancelled) action();
      });
    }, wait);
  };
  arm(ms, 0);
  return () => {
    cancelled = true;
    if (timer !== null) clearTimeout(timer);
    if (immediate !== null) clearImmediate(immediate);
  };
}
