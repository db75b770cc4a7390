import { spawn, type ChildProcess } from 'node:child_process';
import { GIT_ENV } from '../helpers/temp.js';
import { TROUPE } from './mcp-client.js';

/** `troupe mcp --http 0` running in a project: where it listens and the token it was given. */
export interface McpHttpProcess {
  url: string;
  token: string;
  child: ChildProcess;
  stderr(): string;
  /** SIGTERM, then wait for the exit code. */
  stop(): Promise<number | null>;
}

/** A token as `TROUPE_MCP_TOKEN` takes it (≥ 16 characters). */
export const TEST_TOKEN = 'troupe-test-token-0123456789';

/** Start `troupe -C dir mcp --http 0` with a known token and wait for the line that says where it serves. */
export async function startMcpHttp(dir: string, token = TEST_TOKEN): Promise<McpHttpProcess> {
  const [command, ...args] = TROUPE;
  const child = spawn(command, [...args, '-C', dir, 'mcp', '--http', '0'], {
    env: { ...GIT_ENV, TROUPE_MCP_TOKEN: token },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`troupe mcp --http did not start: ${stderr}`)), 60_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const found = /serving .* on (http:\/\/127\.0\.0\.1:\d+\/mcp)/.exec(stderr);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`troupe mcp --http exited ${code}: ${stderr}`));
    });
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    url,
    token,
    child,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}
