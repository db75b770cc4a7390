import type { CapturedOutput, PlanLog } from '../../domain/index.js';
import { forTerminal } from '../../domain/terminal-text.js';
import type { Output } from '../output.js';

/**
 * One command log as `troupe plan logs` prints it: a header saying what ran
 * it and how it ended, the command, then stdout and stderr as the command
 * wrote them, every control character and escape sequence escaped
 * ({@link forTerminal}): `--json` has the bytes.
 *
 * ```text
 * ── step 2 · shell/run · exit 1 · 412 ms
 * $ node --test
 * network: registry.npmjs.org ×12 · refused evil.example ×1   (a plan with a network allow-list)
 * …stdout…
 * ── stderr
 * …stderr…
 * ```
 */
export function formatLog(log: PlanLog, out: Output): string {
  const facts = [what(log), ended(log, out), duration(log.durationMs)];
  if (log.discardedBy !== null) facts.push(out.paint('yellow', 'discarded by a rollback'));
  const parts = [
    `${out.paint('bold', '──')} ${facts.join(out.paint('dim', ' · '))}\n`,
    out.paint('dim', `$ ${forTerminal(log.command, { multiline: true })}`) + '\n',
  ];
  if (log.network) parts.push(`${out.paint('dim', networkLine(log.network))}\n`);
  if (log.stdout.bytes > 0) parts.push(stream(log.stdout, out));
  if (log.stderr.bytes > 0) parts.push(`${out.paint('bold', '──')} stderr\n`, stream(log.stderr, out));
  if (log.stdout.bytes === 0 && log.stderr.bytes === 0) parts.push(`${out.paint('dim', '(no output)')}\n`);
  return parts.join('');
}

// what the command asked the allow-list's proxy for: `network: registry.npmjs.org ×12 · refused evil.example ×1`
function networkLine(network: NonNullable<PlanLog['network']>): string {
  const counted = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([host, count]) => `${forTerminal(host)} ×${count}`)
      .join(', ');
  const allowed = counted(network.allowed);
  const denied = counted(network.denied);
  return ['network:', allowed || 'nothing let through', ...(denied ? [`· refused ${denied}`] : [])].join(' ');
}

/** What `troupe plan logs` prints when there is nothing to show. */
export function noLogs(name: string, filter: { step?: number; read?: number; phase?: string }, out: Output): string {
  const which =
    filter.step !== undefined
      ? ` in step ${filter.step + 1}`
      : filter.read !== undefined
        ? ` in read ${filter.read}`
        : filter.phase !== undefined
          ? ` in ${filter.phase}`
          : '';
  return `${out.paint('dim', `${name} ran no commands${which} yet`)}\n`;
}

// what ran it, in the words plan status uses (steps counted from 1)
function what(log: PlanLog): string {
  switch (log.kind) {
    case 'step':
      return `step ${(log.step ?? 0) + 1}${log.tool ? ` · ${log.tool}` : ''}`;
    case 'check':
      return `check ${log.invariant ?? ''}${log.step !== null ? ` after step ${log.step + 1}` : ` in ${log.phase}`}`;
    case 'validate':
      return 'validate';
    case 'strategize':
      return `strategize${log.tool ? ` · ${log.tool}` : ''}`;
    case 'read':
      return `read${log.read !== undefined ? ` ${log.read}` : ''}${log.tool ? ` · ${log.tool}` : ''}`;
    case 'service':
      return `service ${log.tool ?? ''}`;
  }
}

function ended(log: PlanLog, out: Output): string {
  if (log.cancelled) return out.paint('yellow', 'cancelled');
  if (log.timedOut) return out.paint('red', 'timed out');
  if (log.exitCode === null) return out.paint('red', `killed by ${log.signal ?? 'a signal'}`);
  return out.paint(log.exitCode === 0 ? 'green' : 'red', `exit ${log.exitCode}`);
}

function duration(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

// the text as written, ending in a newline; a stream past the bound says what was cut first
function stream(output: CapturedOutput, out: Output): string {
  const cut =
    output.cut > 0 ? `${out.paint('dim', `(the first ${size(output.cut)} of ${size(output.bytes)} were cut)`)}\n` : '';
  return `${cut}${forTerminal(output.text, { multiline: true })}${output.text.endsWith('\n') || output.text === '' ? '' : '\n'}`;
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
