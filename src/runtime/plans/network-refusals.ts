import type { JournalEntry, NetworkRefusal, Phase } from '../../domain/index.js';
import type { ActorServices, CommandLogSubject } from '../../../actors/index.js';

/**
 * A command runner that journals every connection the plan's network
 * allow-list refused (docs/explanation/sandbox.md#network-by-name) as a `network.denied`
 * event — `{host, port, command, step, kind, reason}`, and for a full cap
 * (`reason: connections`) `{cap, limit}` — once per host (or cap) and step
 * (or, for work that is no step, per validate run, check or service), as it
 * happens. `command` is null when the request did not name its command and
 * several of the plan's ran.
 *
 * @example
 * services.commandRunner = journalRefusals(services.commandRunner, { phaseOf, record });
 */
export function journalRefusals(
  runner: ActorServices['commandRunner'],
  sink: { phaseOf: (planId: string) => Phase | undefined; record: (planId: string, entry: JournalEntry) => void },
): ActorServices['commandRunner'] {
  // per plan: the work and host already journaled in this process
  const seen = new Map<string, Set<string>>();
  return async (planId, worktree, options) => {
    const run = await runner(planId, worktree, options);
    return (command, commandOptions = {}) => {
      const onDenied = (refusal: NetworkRefusal, attributed: boolean) => {
        commandOptions.onDenied?.(refusal, attributed);
        const phase = sink.phaseOf(planId);
        const subject = commandOptions.log;
        // a cap's refusal names the proxy, not a host: once per cap (30,000 refused connections are one event)
        const key = `${workOf(subject, phase)}\u0000${refusal.cap ? `connections ${refusal.cap.per}` : refusal.host}`;
        const journaled = seen.get(planId) ?? new Set<string>();
        seen.set(planId, journaled);
        if (journaled.has(key)) return;
        journaled.add(key);
        sink.record(planId, {
          type: 'network.denied',
          ...(phase ? { phase } : {}),
          data: {
            host: refusal.host,
            port: refusal.port,
            command: attributed ? command : null,
            step: subject?.step ?? null,
            kind: subject?.kind ?? null,
            ...(subject?.tool ? { tool: subject.tool } : {}),
            ...(subject?.invariant ? { invariant: subject.invariant } : {}),
            reason: refusal.reason,
            ...(refusal.cap ? { cap: refusal.cap.per, limit: refusal.cap.limit } : {}),
          },
        });
      };
      return run(command, { ...commandOptions, onDenied });
    };
  };
}

// the work a command belongs to: its step, else its kind of work and what ran it, in the plan's phase
function workOf(subject: CommandLogSubject | undefined, phase: Phase | undefined): string {
  if (subject?.step !== undefined) return `step ${subject.step}`;
  return [phase ?? '', subject?.kind ?? '', subject?.tool ?? '', subject?.invariant ?? ''].join('/');
}
