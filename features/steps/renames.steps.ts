import { When } from '@cucumber/cucumber';
import { git } from '../support/fixture-git.js';
import type { TroupeWorld } from '../support/world.js';

// the user renames a file in their project after the plan's sandbox was made
When(
  'I rename {string} to {string} in the project and commit it',
  function (this: TroupeWorld, from: string, to: string) {
    git(this.project, 'mv', from, to);
    git(this.project, 'commit', '-qm', `rename ${from} to ${to}`);
    this.initialHead = git(this.project, 'rev-parse', 'HEAD');
  },
);
