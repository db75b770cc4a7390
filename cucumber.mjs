// cucumber-js profile: features in users' words, steps in TypeScript (run
// through tsx: `NODE_OPTIONS='--import tsx' cucumber-js`, see package.json).
export default {
  paths: ['features/**/*.feature'],
  import: ['features/support/**/*.ts', 'features/steps/**/*.ts'],
  format: ['progress-bar', 'summary'],
  formatOptions: { snippetInterface: 'async-await' },
  strict: true,
};
