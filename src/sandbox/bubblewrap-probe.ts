// The probe of a BubblewrapSandbox (troupe doctor, and a runtime checking
// it can contain commands before the first one): a contained command run in
// a scratch directory, and what the kernel says of its process.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TroupeError } from '../domain/index.js';
import type { CommandIdentity } from './command-identity.js';
import type { CommandRequest, CommandResult, ProcessStatus, SandboxProbe } from './command-sandbox.js';
import { SANDBOX_FIX, type BubblewrapBinary } from './find-bubblewrap.js';

/** What {@link probeContained} runs through: the sandbox's own lookups and its `run`. */
export interface ContainedProbeParts {
  find(): Promise<BubblewrapBinary>;
  identity(): Promise<CommandIdentity>;
  run(request: CommandRequest): Promise<CommandResult>;
}

/**
 * Run `cat /proc/self/status` contained, in a scratch directory standing
 * for a worktree: ok with what the kernel says of the command's process
 * (who it is, its capabilities, its filter), or why it could not run.
 *
 * @example
 * const probe = await probeContained({ find, identity, run: (request) => sandbox.run(request) });
 */
export async function probeContained(parts: ContainedProbeParts): Promise<SandboxProbe> {
  let binary: BubblewrapBinary;
  try {
    binary = await parts.find();
  } catch (error) {
    return failed(error);
  }
  const scratch = await mkdtemp(join(tmpdir(), 'troupe-probe-'));
  try {
    const result = await parts.run({
      command: 'cat /proc/self/status',
      worktree: scratch,
      env: { PATH: '/usr/bin:/bin' },
      network: false,
      timeoutMs: 30_000,
    });
    if (result.exitCode === 0) {
      const identity = await parts.identity();
      return {
        ok: true,
        detail: `bubblewrap ${binary.version} (${binary.path}) ran a contained command`,
        inside: processStatus(result.stdoutTail),
        identity,
      };
    }
    return {
      ok: false,
      detail: `a contained \`true\` ended with ${result.exitCode ?? result.signal}: ${result.stderrTail.trim()}`,
      fix: SANDBOX_FIX,
    };
  } catch (error) {
    return failed(error);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/**
 * The fields of a `/proc/<pid>/status` that say what a process may do.
 *
 * @example
 * processStatus('Uid:\t999\t999\t999\t999\nSeccomp:\t2\n').uids; // [999, 999, 999, 999]
 */
export function processStatus(text: string): ProcessStatus {
  const field = (name: string): string => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  const ids = (name: string) => field(name).split(/\s+/).map(Number);
  return {
    uids: ids('Uid'),
    gids: ids('Gid'),
    capEff: field('CapEff'),
    capBnd: field('CapBnd'),
    noNewPrivs: field('NoNewPrivs') === '1',
    seccomp: Number(field('Seccomp') || -1),
    seccompFilters: Number(field('Seccomp_filters') || 0),
  };
}

function failed(error: unknown): SandboxProbe {
  if (error instanceof TroupeError)
    return { ok: false, detail: error.message, ...(error.hint ? { fix: error.hint } : {}) };
  return { ok: false, detail: error instanceof Error ? error.message : String(error), fix: SANDBOX_FIX };
}
