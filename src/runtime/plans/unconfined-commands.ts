import type { JournalEntry, Phase } from '../../domain/index.js';
import type { ActorServices } from '../../../actors/index.js';

/** What a process that runs commands unconfined says once (SPEC §15). */
export const UNCONFINED_WARNING =
  'commands run unconfined: "sandbox": {"mode": "off"} in .troupe/config.json lets them read and write anything you can and use the network — see docs/explanation/sandbox.md';

/**
 * A command runner that says when commands run unconfined (`"sandbox":
 * {"mode": "off"}`): `warn` once per process at the first command, and a
 * `sandbox.unconfined` journal entry once per plan and process — so the
 * journal of every run that ran a plan's commands unconfined says so.
 *
 * @example
 * services.commandRunner = journalUnconfined(services.commandRunner, { warn, phaseOf, record });
 */
export function journalUnconfined(
  runner: ActorServices['commandRunner'],
  sink: {
    warn: (message: string) => void;
    phaseOf: (planId: string) => Phase | undefined;
    record: (planId: string, entry: JournalEntry) => void;
  },
): ActorServices['commandRunner'] {
  const noted = new Set<string>();
  let warned = false;
  return async (planId, worktree, options) => {
    const run = await runner(planId, worktree, options);
    return (command, commandOptions) => {
      if (!warned) {
        warned = true;
        sink.warn(UNCONFINED_WARNING);
      }
      if (!noted.has(planId)) {
        noted.add(planId);
        const phase = sink.phaseOf(planId);
        sink.record(planId, {
          type: 'sandbox.unconfined',
          ...(phase ? { phase } : {}),
          data: { mode: 'off', command },
        });
      }
      return run(command, commandOptions);
    };
  };
}
