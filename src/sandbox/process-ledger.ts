import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** One command's entry in a {@link ProcessLedger}: the file its shell writes its pid to, and the token in its environment. */
export interface CommandRecord {
  file: string;
  token: string;
}

/** The environment variable that marks a command's shell as troupe's (its value is the record's token). */
export const COMMAND_TOKEN_VARIABLE = 'TROUPE_COMMAND';

/**
 * The commands a plan is running, one file each under
 * `.troupe/run/<plan-id>/`. A troupe process killed with SIGKILL cannot
 * stop its commands, and they would go on changing the sandbox after a new
 * process reset it for the re-run: before a step or validate runs again,
 * {@link ProcessLedger.reap} kills what the last process left running.
 *
 * The command's own shell writes its pid (its process group) to the file
 * before it runs anything (see runCommand), so there is no moment in which
 * a command runs unrecorded, however the parent dies.
 */
export class ProcessLedger {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** A record for one command about to start. */
  prepare(): CommandRecord {
    mkdirSync(this.dir, { recursive: true });
    const token = randomBytes(12).toString('hex');
    return { file: join(this.dir, `${token}.pid`), token };
  }

  /** The command ended (and runCommand killed what was left of its group). */
  release(record: CommandRecord): void {
    rmSync(record.file, { force: true });
  }

  /**
   * Kill the process groups of commands a previous process left running,
   * wait until they are gone, and remove their records. Returns how many
   * groups were killed.
   */
  async reap(): Promise<number> {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith('.pid'));
    } catch {
      return 0;
    }
    const killed: number[] = [];
    for (const name of names) {
      const file = join(this.dir, name);
      const pgid = Number.parseInt(readText(file), 10);
      if (Number.isInteger(pgid) && pgid > 1 && isOurGroup(pgid, name.slice(0, -'.pid'.length))) {
        signalGroup(pgid, 'SIGKILL');
        killed.push(pgid);
      }
      rmSync(file, { force: true });
    }
    // a killed group takes a moment to go; the sandbox is reset only after
    for (let waited = 0; waited < 5_000 && killed.some(groupAlive); waited += 20) await sleep(20);
    return killed.length;
  }
}

const PROC = existsSync('/proc/self/stat');

// Whether the process group `pgid` is the command recorded under `token`.
// With /proc: its leader's environment holds the token, or the leader is
// gone and members remain (a pid still in use as a group id is never given
// to a new process, so the group is the one our shell led). Without /proc:
// the group exists.
function isOurGroup(pgid: number, token: string): boolean {
  if (!PROC) return groupAlive(pgid);
  const environ = readText(`/proc/${pgid}/environ`);
  if (environ !== '') return environ.split('\u0000').includes(`${COMMAND_TOKEN_VARIABLE}=${token}`);
  return existsSync(`/proc/${pgid}`) ? false : hasMembers(pgid);
}

function hasMembers(pgid: number): boolean {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readText(`/proc/${name}/stat`);
    // fields after the command name (in parentheses, may hold spaces): state, ppid, pgrp
    if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]) === pgid) return true;
  }
  return false;
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
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
