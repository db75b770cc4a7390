import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { visibleTempDir } from '../helpers/temp.js';

// what the process-ledger tests of contained commands share: scratch places removed after each
// test, the ledger's files, and a process's /proc entries

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Run `cleanup` after the current test, in reverse order of registration. */
export function afterThisTest(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A scratch directory the sandbox can mount, removed after the test. */
export async function place(prefix = 'troupe-bwrap-ledger-'): Promise<string> {
  const made = await visibleTempDir(prefix);
  cleanups.push(made.cleanup);
  return made.dir;
}

/** The names of a directory's entries, none when it does not exist. */
export const contents = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir) : []);

/** `/proc/<pid>/<what>`, empty when the process is gone. */
export const proc = (pid: number, what: string): string => {
  try {
    return readFileSync(`/proc/${pid}/${what}`, 'utf8');
  } catch {
    return '';
  }
};
