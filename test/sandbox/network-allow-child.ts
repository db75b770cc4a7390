// Run by network-allow.int.test.ts as an unprivileged user (setpriv): a plan network with an
// allow-list, a listed and an unlisted host (servers of the test on 127.0.0.1), and a direct connect.
// argv: <scratch dir> <listed port> <unlisted port>; prints one JSON line.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BubblewrapSandbox, commandEnv, startPlanNetwork } from '../../src/sandbox/index.js';

const [scratch, listedPort, unlistedPort] = process.argv.slice(2) as [string, string, string];
const worktree = join(scratch, 'worktree');
mkdirSync(worktree, { recursive: true });
mkdirSync(join(scratch, 'project'), { recursive: true });
const sandbox = new BubblewrapSandbox({ projectRoot: join(scratch, 'project'), home: scratch });
const network = await startPlanNetwork({
  bwrap: '/usr/bin/bwrap',
  gate: { allow: [`listed.test:${listedPort}`], resolve: async () => ['127.0.0.1'], loopbackNames: 'allow' },
});
const command = [
  `curl -s -o /dev/null -w '%{http_code} ' http://listed.test:${listedPort}/`,
  `curl -s -o /dev/null -w '%{http_code} ' http://unlisted.test:${unlistedPort}/`,
  `node -e 'require("net").connect({host:"192.0.2.1",port:80}).on("connect",()=>console.log("connected")).on("error",e=>console.log(e.code))'`,
].join('; ');
const result = await sandbox.run({
  command,
  worktree,
  env: commandEnv(),
  network: false,
  planNetwork: network,
  timeoutMs: 30_000,
});
await network.stop();
const [listed, unlisted, direct] = result.stdoutTail.trim().split(/\s+/);
console.log(JSON.stringify({ uid: process.getuid?.(), listed: Number(listed), unlisted: Number(unlisted), direct }));
