import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Then } from '@cucumber/cucumber';
import type { TroupeWorld } from '../support/world.js';

// a step's command writes its pid under $HOME: after a timeout or a cancel, nothing may keep running
Then('the process recorded in {string} is no longer running', async function (this: TroupeWorld, file: string) {
  const pid = Number((await readFile(join(this.home, file), 'utf8')).trim());
  assert.ok(pid > 0, `no pid in ${file}`);
  const deadline = Date.now() + 5_000;
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while (alive() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(alive(), false, `process ${pid} is still running`);
});
