// Run by plan-network.int.test.ts as an unprivileged user (setpriv): a service
// and a command of one plan network, through the whole contained-command policy.
// argv: <scratch dir>; prints one JSON line.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BubblewrapSandbox, commandEnv } from '../../src/sandbox/index.js';

const scratch = process.argv[2]!;
const worktree = join(scratch, 'worktree');
mkdirSync(worktree, { recursive: true });
mkdirSync(join(scratch, 'project'), { recursive: true });
const sandbox = new BubblewrapSandbox({ projectRoot: join(scratch, 'project'), home: scratch });
const network = (await sandbox.startNetwork())!;
const stop = new AbortController();
let ready!: () => void;
const listening = new Promise<void>((resolve) => (ready = resolve));
const service = sandbox.run({
  command: `exec node -e 'require("net").createServer(c=>c.end("unprivileged-ok")).listen(18898,"127.0.0.1",()=>console.log("listening"))'`,
  worktree,
  env: commandEnv(),
  network: false,
  planNetwork: network,
  signal: stop.signal,
  onOutput: (chunk) => chunk.toString().includes('listening') && ready(),
});
void service.then(() => ready());
await listening;
const seen = await network.listening(18898);
const reached = await sandbox.run({
  command: `node -e 'require("net").connect(18898,"127.0.0.1").on("data",d=>process.stdout.write(d)).on("error",e=>{console.error(e.message);process.exit(7)})'`,
  worktree,
  env: commandEnv(),
  network: false,
  planNetwork: network,
  timeoutMs: 20_000,
});
stop.abort();
await service;
await network.stop();
console.log(
  JSON.stringify({
    uid: process.getuid?.(),
    seen,
    exitCode: reached.exitCode,
    stdout: reached.stdoutTail,
    stderr: reached.stderrTail,
  }),
);
