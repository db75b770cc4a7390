import { createServer } from 'node:net';

/** A TCP port of 127.0.0.1 nothing listens on right now (a throwaway server's, or one to find refused). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}
