/**
 * Keep this process from running anything else for `ms` — no timer fires, no
 * pipe is read — as a SIGSTOP or a paused VM would.
 */
export function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy on purpose
  }
}
