import assert from 'node:assert/strict';
import { Then } from '@cucumber/cucumber';
import type { TroupeWorld } from '../support/world.js';

Then('stdout is:', function (this: TroupeWorld, text: string) {
  assert.equal(this.lastRun().stdout, text);
});
