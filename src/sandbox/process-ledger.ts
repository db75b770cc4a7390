import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One command's entry in a {@link ProcessLedger}: the file its shell writes its pid to, and the token in its environment. */
export interface CommandRecord {
  file: string;
  token: string;
}

/** Where a project's plans record their commands: `<project>/.troupe/run/<plan-id>/`. */
export const RUN_DIR = join('.troupe', 'run');

/** The environment variable that marks a command's shell as troupe's (its value is the record's token). */
export const COMMAND_TOKEN_VARIABLE = 'TROUPE_COMMAND';

/**
 * The commands a plan is running, one file each under
 * `.troupe/run/<plan-id>/`. A troupe process killed with SIGKILL cannot
 * stop its commands, and they would go on changing the sandbox after a new
 * process reset it for the re-run: before a step or validate runs again,
 * {@link ProcessLedger.reap} kills what the last process left running.
 *
 * An unconfined command's own shell writes its pid (its process group) to
 * the file before it runs anything, so there is no moment in which it runs
 * unrecorded, however the parent dies. A contained command is recorded by
 * troupe as bubblewrap starts ({@link ProcessLedger.started}): bubblewrap
 * dies with troupe, but a sandbox it was still setting up when troupe died
 * waits for it for ever, and the reap is what ends that wait. The sandbox's
 * first process is recorded too, before the command may run
 * ({@link ProcessLedger.joined}): bubblewrap's `--new-session` puts it in a
 * process group of its own, and it binds its life to bubblewrap's only once
 * its setup is done — troupe killed in between leaves a sandbox that runs
 * the command unbound, outside bubblewrap's group.
 */
export class ProcessLedger {
  readonly dir: string;
  // tokens of lasting processes this ledger recorded and that still live: not this process's to reap
  readonly #lasting = new Set<string>();

  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * A record for one command about to start. `lasting`: a process that
   * outlives commands and has an owner of its own to stop it (a plan
   * network's holder): {@link ProcessLedger.reap} on this ledger leaves it
   * alone while it is recorded; another process's reap does not.
   */
  prepare(options: { lasting?: boolean } = {}): CommandRecord {
    mkdirSync(this.dir, { recursive: true });
    const token = randomBytes(12).toString('hex');
    if (options.lasting) this.#lasting.add(token);
    return { file: join(this.dir, `${token}.pid`), token };
  }

  /**
   * Record `pid`, the leader of the command's process group, for a command
   * this process started itself (bubblewrap): there is no shell of ours
   * outside the sandbox to record it.
   */
  started(record: CommandRecord, pid: number): void {
    writeFileSync(record.file, `${pid}\n`);
  }

  /**
   * Record one more process group of the command, after its leader's: the
   * sandbox's first process, which bubblewrap puts in a session (and group)
   * of its own. Appended, so the leader's line stays whatever happens.
   */
  joined(record: CommandRecord, pid: number): void {
    appendFileSync(record.file, `${pid}\n`);
  }

  /** The command ended (and runCommand killed what was left of its group). */
  release(record: CommandRecord): void {
    this.#lasting.delete(record.token);
    rmSync(record.file, { force: true });
  }

  /**
   * Kill the process groups of commands a previous process left running,
   * wait until they are gone, and remove their records. Returns how many
   * commands had processes killed.
   */
  async reap(): Promise<number> {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter(
        (name) => name.endsWith('.pid') && !this.#lasting.has(name.slice(0, -'.pid'.length)),
      );
    } catch {
      return 0;
    }
    const killed: number[] = [];
    let commands = 0;
    for (const name of names) {
      const file = join(this.dir, name);
      const token = name.slice(0, -'.pid'.length);
      const before = killed.length;
      // the leader's group, then any group the command's sandbox made of its own (see joined)
      for (const pgid of readText(file)
        .split('\n')
        .map((line) => Number.parseInt(line, 10))) {
        if (Number.isInteger(pgid) && pgid > 1 && !killed.includes(pgid) && isOurGroup(pgid, token)) {
          signalGroup(pgid, 'SIGKILL');
          // a sandbox's first process before its setsid leads no group yet: it is killed itself (its PID namespace goes with it)
          signalProcess(pgid, 'SIGKILL');
          killed.push(pgid);
        }
      }
      if (killed.length > before) commands += 1;
      rmSync(file, { force: true });
    }
    // a killed group takes a moment to go; the sandbox is reset only after
    for (let waited = 0; waited < 5_000 && killed.some(groupRunning); waited += 20) await sleep(20);
    return commands;
  }
}

const PROC = existsSync('/proc/self/stat');

// Whether the process group `pgid` is the command recorded under `token`.
// With /proc: its leader's environment holds the token; or the leader is
// gone and members remain (a pid still in use as a group id is never given
// to a new process, so the group is the one our shell led); or the leader
// is a zombie nobody reaped yet (no environment left to read) and one of
// the others holds the token. Without /proc: the group exists.
function isOurGroup(pgid: number, token: string): boolean {
  if (!PROC) return groupAlive(pgid);
  const stat = readText(`/proc/${pgid}/stat`);
  if (stat === '') return membersOf(pgid).length > 0;
  if (fieldsOf(stat)[0] === 'Z') return membersOf(pgid).some((pid) => holdsToken(pid, token));
  return holdsToken(pgid, token);
}

function holdsToken(pid: number, token: string): boolean {
  return readText(`/proc/${pid}/environ`).split('\u0000').includes(`${COMMAND_TOKEN_VARIABLE}=${token}`);
}

// the processes of group `pgid` besides its leader
function membersOf(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === pgid) continue;
    // state, ppid, pgrp
    if (Number(fieldsOf(readText(`/proc/${name}/stat`))[2]) === pgid) members.push(Number(name));
  }
  return members;
}

// the fields of a /proc stat line after the command name (in parentheses, may hold spaces)
function fieldsOf(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

// whether any process of the group is more than a zombie (which a kill cannot end, and which
// is no longer running anything: its parent has yet to reap it)
function groupRunning(pgid: number): boolean {
  if (!PROC) return groupAlive(pgid);
  return [pgid, ...membersOf(pgid)].some((pid) => {
    const state = fieldsOf(readText(`/proc/${pid}/stat`))[0];
    return state !== undefined && state !== '' && state !== 'Z';
  });
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function signalProcess(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
