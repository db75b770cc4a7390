// Run by network-allow.int.test.ts, then killed with SIGKILL: it opens a plan network with an
// allow-list (holder, proxy socket, check) and prints the holder's pid, then waits.
// argv: <label>; prints one JSON line.
import { startPlanNetwork } from '../../src/sandbox/index.js';

const network = await startPlanNetwork({
  bwrap: '/usr/bin/bwrap',
  label: process.argv[2]!,
  gate: { allow: ['registry.npmjs.org'] },
});
console.log(JSON.stringify({ holder: network.pid, proxyPort: network.gate?.proxyPort }));
setInterval(() => {}, 1_000);
