import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { planYaml } from './fixtures.js';

// The plan the agent-driven tests drive, and a run that leaves it open in execute.

// no strategy: the plan is driven from outside, one tool call at a time (SPEC §16)
export const AGENT_PLAN = planYaml({
  name: 'demo/agent',
  resourceScopes: ['src/**', 'notes.txt'],
  invariants: [{ id: 'no-bad', check: 'file-absent', path: 'src/bad.ts' }],
  validate: [{ run: 'test -f notes.txt' }],
});

export async function openPlan(runtime: LocalRuntime, yaml = AGENT_PLAN) {
  const created = await runtime.createPlan(yaml);
  return runtime.run(created.id);
}
