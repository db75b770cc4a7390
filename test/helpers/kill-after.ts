import { spawn } from 'node:child_process';

/**
 * Run a TypeScript script (with tsx) in a child process and SIGKILL it once
 * it printed `killAfter` lines on stdout; resolves with the lines it printed.
 * The crash tests use it to stop troupe at chosen moments.
 */
export function runUntilKilled(script: string, args: readonly string[], killAfter: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines: string[] = [];
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (lines.length === killAfter) child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', () => resolve(lines));
  });
}
