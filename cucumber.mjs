// cucumber-js profile: features in users' words, steps in TypeScript (run
// through tsx: `NODE_OPTIONS='--import tsx' cucumber-js`, see package.json).

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
};
