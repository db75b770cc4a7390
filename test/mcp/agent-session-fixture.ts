import { afterEach } from 'vitest';
import { tempRepo } from '../helpers/temp.js';
import { connectMcp } from './mcp-client.js';

// An MCP session through `troupe mcp` over stdio on a temp repository; what a test
// leaves to undo (cleanups) runs in reverse after it, by the hook this module registers.

export const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

export async function session(files: Record<string, string>) {
  const repo = await tempRepo(files);
  cleanups.push(repo.cleanup);
  const mcp = await connectMcp(repo.dir);
  cleanups.push(() => mcp.close());
  return { dir: repo.dir, mcp };
}
