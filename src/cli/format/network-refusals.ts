import type { JournalEvent, Phase } from '../../domain/index.js';
import type { Output } from '../output.js';
import { shownBy } from './terminal-text.js';

/**
 * A connection a plan's network allow-list refused, as its journal's
 * `network.denied` event tells (docs/sandbox.md#network-by-name): once per
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
        by: typeof data.invariant === 'string' ? data.invariant : data.kind === 'service' && typeof data.tool === 'string' ? data.tool : null,
        command: typeof data.command === 'string' ? data.command : null,
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

/** The `refused` row of `troupe plan status`: the first few hosts and where, and how many more. */
export function deniedRow(denials: readonly NetworkDenial[], out: Output): string {
  const shown = denials.slice(0, SHOWN).map((denial) => `${shownBy(out, denial.host)}:${denial.port} (${deniedWhere(denial)})`);
  const more = denials.length > SHOWN ? `, and ${denials.length - SHOWN} more` : '';
  return `${shown.join(', ')}${more} — not on the network allow-list`;
}

/** The lines `troupe plan explain` prints under the plan's `sandbox_policy` decision: each refusal with the command that asked. */
export function deniedLines(denials: readonly NetworkDenial[], out: Output): string[] {
  return denials.map((denial) => `refused ${shownBy(out, denial.host)}:${denial.port} in ${shownBy(out, deniedWhere(denial))}${denial.command === null ? '' : `: ${shownBy(out, oneLine(denial.command))}`}`);
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 100 ? `${line.slice(0, 99)}…` : line;
}
