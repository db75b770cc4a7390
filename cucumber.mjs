// cucumber-js profile: features in users' words, steps in TypeScript (run
// through tsx: `NODE_OPTIONS='--import tsx' cucumber-js`, see package.json).

import { availableParallelism } from 'node:os';

// cucumber adds the paths given on the command line to the profile's, so
// `npm run test:features -- features/ui.feature` would run everything: with
// feature paths on the command line (file or file:line), run only those
const named = process.argv.slice(2).some((arg) => /\.feature(:\d+)*$/.test(arg));

export default {
  paths: named ? [] : ['features/**/*.feature'],
  import: ['features/support/**/*.ts', 'features/steps/**/*.ts'],
  format: ['progress-bar', 'summary'],
  formatOptions: { snippetInterface: 'async-await' },
  strict: true,
  // scenarios spend most of their time waiting on git and child processes:
  // two (up to four) worker processes cut a 2-core CI run from ~6.4 to ~5 min;
  // each scenario has its own temp project and store, so none share state
  parallel: Math.max(2, Math.min(4, availableParallelism())),
};
