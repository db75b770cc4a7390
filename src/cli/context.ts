import type { InspectionEvent } from 'xstate';
import type { Runtime } from '../runtime/index.js';
import type { Output } from './output.js';

/** The terminal a command draws on and reads keys from (`troupe ui`, questions): the process's own unless a test passes one. */
export interface Terminal {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** What every command gets: its output, the directory it runs in, and the Runtime (opened on first use). */
export interface CommandContext {
  out: Output;
  /** The directory given by `-C`, or the current one. */
  dir: string;
  /** The Runtime for this command: local (this process owns the store) or the owner's, over its socket. */
  runtime(): Promise<Runtime>;
  /** Resolves if the connection to the owning process is lost (never for a local runtime). */
  lost(): Promise<void>;
  /** Drop the current Runtime and open a new one (to the next owner, or as the owner). */
  reopen(): Promise<Runtime>;
  /** Aborted on Ctrl-C. */
  signal: AbortSignal;
  /** Whether stdin and stdout are a terminal: a question can be asked and answered. */
  interactive: boolean;
  /** Where `troupe ui` draws: used only when `interactive` and its stdout is a terminal. */
  terminal: Terminal;
  /** `--yes` was given: confirmations are answered yes without asking. */
  yes: boolean;
  /**
   * Ask a yes/no question on the terminal (stderr), default no. Only
   * meaningful when `interactive`; otherwise it answers no without asking.
   */
  confirm(question: string): Promise<boolean>;
  /** With `--inspect`: the observer a command that opens a runtime of its own (demo) passes to it. */
  inspect: ((event: InspectionEvent) => void) | undefined;
}

/** A command: options in, exit code out. Only the CLI entry calls process.exit. */
export type Command<A extends unknown[] = []> = (context: CommandContext, ...args: A) => Promise<number>;
