// The mutation check of the files that guard security and durability (`npm run mutate:guards`,
// CONTRIBUTING.md), against the tests that cover them (vitest.mutate-guards.config.ts). Fails
// under 80 %. Results are kept in test/mutation/guards-incremental.json: a run retests only
// the mutants whose code or covering tests changed since.
import base from './stryker.config.mjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  ...base,
  vitest: { configFile: 'vitest.mutate-guards.config.ts' },
  mutate: [
    // what a command may reach: the bubblewrap policy, the path guard, loader variables, resource limits
    'src/sandbox/bubblewrap-policy.ts',
    'src/sandbox/path-guard.ts',
    'src/domain/loader-env.ts',
    'src/domain/resource-limits.ts',
    // where a command's requests and troupe's model keys may go
    'src/domain/network-allow.ts',
    'src/sandbox/allow-list-proxy.ts',
    'src/domain/model-endpoints.ts',
    // what children may write together, and what a failure shows
    'src/domain/glob-overlap.ts',
    'src/domain/failure-blocks.ts',
    // durability: MCP tasks, claims on plans, the store's outage bound, the step chain
    'src/mcp/task-store.ts',
    'src/runtime/plans/plan-claims.ts',
    'src/runtime/persistence/store-outage.ts',
    'src/store/step-chain.ts',
    // the plan machine's phase rules
    'machines/plan-lifecycle/guards.ts',
    'machines/plan-lifecycle/refusals.ts',
  ],
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/guards.json' },
  incrementalFile: 'test/mutation/guards-incremental.json',
  // the first run of the covering tests, measured per test: minutes on a busy 2-core machine
  dryRunTimeoutMinutes: 30,
  thresholds: { high: 90, low: 85, break: 80 },
};
