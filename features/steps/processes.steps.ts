import assert from 'node:assert/strict';
import { chmod, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Given, Then } from '@cucumber/cucumber';
import { startCallCounter } from '../../test/helpers/call-counter.js';
import type { TroupeWorld } from '../support/world.js';

// a contained command runs in a PID namespace of its own: its `$$` means
// nothing outside, so a scenario finds its processes by their arguments
Then('no process runs {string} any more', async function (this: TroupeWorld, commandLine: string) {
  const running = async (): Promise<string[]> => {
    const found: string[] = [];
    for (const name of await readdir('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const argv = (await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '')).split('\0').join(' ').trim();
      const state = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
      if (argv === commandLine && state.slice(state.lastIndexOf(')') + 2)[0] !== 'Z') found.push(name);
    }
    return found;
  };
  const deadline = Date.now() + 5_000;
  while ((await running()).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await running(), [], `"${commandLine}" is still running`);
});

// a service outside the sandbox that a plan with `network: true` can reach:
// `$HOME/count-call <tag>` prints how many calls that tag has had, this one included
Given(
  'a service outside the sandbox that counts calls, reached with {string}',
  async function (this: TroupeWorld, usage: string) {
    assert.match(usage, /^\$HOME\/count-call /);
    const counter = await startCallCounter();
    this.closables.push(counter);
    const script = join(this.home, 'count-call');
    const ask = `const s=require("net").connect(${counter.port},"127.0.0.1",()=>s.write(process.argv[1]+"\\n"));s.on("data",d=>process.stdout.write(String(d)))`;
    await writeFile(script, `#!/bin/sh\nexec node -e '${ask}' "$1"\n`);
    await chmod(script, 0o755);
  },
);
