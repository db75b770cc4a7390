import { createServer, type Socket } from 'node:net';

/**
 * A barrier on 127.0.0.1: each connection is held until `parties`
 * connections have arrived, then all are answered at once. Commands that
 * call it (in plans with `network: true`) can only all finish if they ran
 * at the same time — a proof of concurrency with no clock in it.
 */
export interface Barrier {
  port: number;
  /** Shell text that waits at the barrier and exits 0 once everyone arrived (uses node). */
  command: string;
  close(): Promise<void>;
}

/** Start a {@link Barrier} of `parties` on a free port. */
export async function startBarrier(parties: number): Promise<Barrier> {
  const waiting: Socket[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => socket.destroy());
    waiting.push(socket);
    if (waiting.length >= parties) for (const held of waiting.splice(0)) held.end('go\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    port,
    command: `node -e 'const s=require("net").connect(${port},"127.0.0.1");s.on("data",()=>process.exit(0));s.on("error",e=>{console.error(e.message);process.exit(3)})'`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const held of waiting.splice(0)) held.destroy();
        server.close(() => resolve());
      }),
  };
}
