import type { JournalEvent, Phase } from '../../domain/index.js';
import { forTerminal } from '../../domain/terminal-text.js';

/**
 * A connection a plan's network allow-list refused, as its journal's
 * `network.denied` event tells (docs/explanation/sandbox.md#network-by-name): once per
 * host and step.
 *
 * @example
 * const refused: NetworkDenial[] = networkDenials(await runtime.events('demo/x'));
 */
export interface NetworkDenial {
  host: string;
  port: number;
  phase: Phase | null;
  /** The step (0-based) whose command asked, or null (validate, a check, a service). */
  step: number | null;
  /** What ran it: `step`, `validate`, `check`, `service`…; null when unknown. */
  kind: string | null;
  /** The service's name or the check's invariant, when that ran it. */
  by: string | null;
  /** The command, when the request named it. */
  command: string | null;
  /** Why it was refused (`not-listed` for journals from before reasons were told apart). */
  reason: string;
  /** For `connections`: the cap that was full. */
  cap: { per: string; limit: number } | null;
}

// how many a status row names before it says how many more
const SHOWN = 5;

/** The refusals a plan's journal holds, oldest first. */
export function networkDenials(events: readonly JournalEvent[]): NetworkDenial[] {
  return events
    .filter((event) => event.type === 'network.denied' && typeof event.data.host === 'string')
    .map((event) => {
      const data = event.data;
      return {
        host: data.host as string,
        port: typeof data.port === 'number' ? data.port : 0,
        phase: event.phase ?? null,
        step: typeof data.step === 'number' ? data.step : null,
        kind: typeof data.kind === 'string' ? data.kind : null,
        by:
          typeof data.invariant === 'string'
            ? data.invariant
            : data.kind === 'service' && typeof data.tool === 'string'
              ? data.tool
              : null,
        command: typeof data.command === 'string' ? data.command : null,
        reason: typeof data.reason === 'string' ? data.reason : 'not-listed',
        cap: capOf(data.cap),
      };
    });
}

/** Where a refusal came from, in plan status's words: `step 2`, `validate`, `check tests`, `service web`. */
export function deniedWhere(denial: NetworkDenial): string {
  if (denial.step !== null && (denial.kind === 'step' || denial.kind === null)) return `step ${denial.step + 1}`;
  if (denial.kind === 'check') return `check ${denial.by ?? ''}`.trim();
  if (denial.kind === 'service') return `service ${denial.by ?? ''}`.trim();
  return denial.kind ?? denial.phase ?? 'a command';
}

/**
 * Why a refusal happened, in a few words (docs/explanation/sandbox.md#what-is-recorded).
 *
 * @example
 * refusalWhy({ reason: 'metadata', cap: null }); // 'it leads to a cloud metadata service'
 */
export function refusalWhy(denial: Pick<NetworkDenial, 'reason' | 'cap'>): string {
  switch (denial.reason) {
    case 'loopback':
      return "it leads to this machine's loopback";
    case 'this-machine':
      return 'it leads to an address of this machine';
    case 'link-local':
      return 'it leads to a link-local address';
    case 'metadata':
      return 'it leads to a cloud metadata service';
    case 'connections':
      return denial.cap
        ? `too many connections at once (the ${denial.cap.per}'s cap of ${denial.cap.limit})`
        : 'too many connections at once';
    default:
      return 'not on the network allow-list';
  }
}

/** The `refused` row of `troupe plan status`: the first few hosts (as a command named them: escaped, {@link forTerminal}), where and why, and how many more. */
export function deniedRow(denials: readonly NetworkDenial[]): string {
  // one reason for all (the usual case): said once at the end
  const alike = denials.every((denial) => refusalWhy(denial) === refusalWhy(denials[0]!));
  const shown = denials
    .slice(0, SHOWN)
    .map(
      (denial) =>
        `${forTerminal(denial.host)}:${denial.port} (${deniedWhere(denial)}${alike ? '' : `: ${refusalWhy(denial)}`})`,
    );
  const more = denials.length > SHOWN ? `, and ${denials.length - SHOWN} more` : '';
  return `${shown.join(', ')}${more}${alike && denials.length > 0 ? ` — ${refusalWhy(denials[0]!)}` : ''}`;
}

/** The lines `troupe plan explain` prints under the plan's `sandbox_policy` decision: each refusal with the command that asked, escaped ({@link forTerminal}). */
export function deniedLines(denials: readonly NetworkDenial[]): string[] {
  return denials.map(
    (denial) =>
      `refused ${forTerminal(denial.host)}:${denial.port} in ${forTerminal(deniedWhere(denial))}${denial.command === null ? '' : `: ${forTerminal(oneLine(denial.command))}`}`,
  );
}

function capOf(value: unknown): { per: string; limit: number } | null {
  if (typeof value !== 'object' || value === null) return null;
  const { per, limit } = value as { per?: unknown; limit?: unknown };
  return typeof per === 'string' && typeof limit === 'number' ? { per, limit } : null;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
