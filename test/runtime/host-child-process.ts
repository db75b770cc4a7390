import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** A process of its own that owns the project's store and runs a plan (host-child.ts). */
export interface HostChild {
  /** Resolves when the process has printed this line (`host`, `done`). */
  line(text: string): Promise<void>;
}

/**
 * Start host-child.ts on `dir`: it opens the store (becoming its host), prints
 * `host`, runs `planId` through execute and prints `done` — like `troupe plan
 * run` in another terminal. Killed by the cleanup pushed onto `cleanups`.
 */
export function spawnHostChild(dir: string, planId: string, cleanups: (() => Promise<void> | void)[]): HostChild {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'host-child.ts'), dir, planId],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  cleanups.push(() => void child.kill('SIGKILL'));
  const lines: string[] = [];
  const waiters: { text: string; resolve: () => void }[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) {
      lines.push(line);
      for (const waiter of waiters.filter((candidate) => candidate.text === line)) waiter.resolve();
    }
  });
  return {
    line: (text: string) =>
      lines.includes(text) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ text, resolve })),
  };
}
