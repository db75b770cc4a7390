import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

/**
 * A TCP service on 127.0.0.1 that counts calls by tag: each connection
 * sends `tag\n` and gets back how many calls that tag has had, this one
 * included. Contained commands cannot write outside their worktree, so a
 * test that must know how often a command really ran — across a retry in a
 * fresh sandbox, or across a crash — has it call here, in a plan with
 * `network: true` (SPEC §15).
 */
export interface CallCounter {
  port: number;
  /** Calls per tag so far. */
  counts(): Record<string, number>;
  /** Shell text that calls with `tag` and sets `$var` to the count (uses node, present wherever troupe runs). */
  call(tag: string, variable?: string): string;
  close(): Promise<void>;
}

/** Start a {@link CallCounter} on a free port; with `log`, every call's tag is also appended to that file, one line each. */
export async function startCallCounter(options: { log?: string } = {}): Promise<CallCounter> {
  const counts: Record<string, number> = {};
  const server: Server = createServer((socket) => {
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('utf8');
      const newline = buffered.indexOf('\n');
      if (newline === -1) return;
      const tag = buffered.slice(0, newline);
      counts[tag] = (counts[tag] ?? 0) + 1;
      if (options.log) appendFileSync(options.log, `${tag}\n`);
      socket.end(`${counts[tag]}\n`);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    counts: () => ({ ...counts }),
    call: (tag, variable = 'calls') =>
      `${variable}=$(node -e 'const s=require("net").connect(${port},"127.0.0.1",()=>s.write(process.argv[1]+"\\n"));s.on("data",d=>process.stdout.write(String(d).trim()));s.on("error",e=>{console.error(e.message);process.exit(3)})' ${JSON.stringify(tag)})`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
