// Makes the schema-version-1 store the migration test opens (db/) and what
// that store held as version 1 read it (expected.json). Run with troupe at
// commit c71adcb, the last to write version 1, from the repository root:
//   npx tsx test/store/v1-store/make.ts
// Every list is a plan's step list or a checkpoint's, as the runtime makes
// them: grown one step at a time with a checkpoint after each, rolled back
// to an earlier checkpoint and grown differently, spliced by a correction.
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LevelStore } from '../../../src/store/index.js';
import { checkpoint, planCreation } from '../fixtures.js';

const here = new URL('.', import.meta.url).pathname;
const id = (prefix: string, n: number) => `${prefix}${String(n).padStart(26 - prefix.length, '0')}`;

async function main(): Promise<void> {
  const path = join(here, 'db');
  await rm(path, { recursive: true, force: true });
  const store = new LevelStore({ path });
  await store.open();
  let checkpointNo = 0;
  const nextCheckpoint = (planId: string, stepIds: string[], overrides = {}) => checkpoint(planId, id('01J00000000000000000CP', ++checkpointNo), { stepIds, ...overrides });

  // an agent's plan: six steps, each with its checkpoint; back to the second; two other steps
  const agent = planCreation('demo/agent', { agentDriven: true });
  await store.createPlan(agent);
  const steps = Array.from({ length: 6 }, (_, n) => id('01J0000000000000000STEPA', n + 1));
  for (let n = 1; n <= 6; n++) {
    await store.commit({ planId: agent.planId, record: { ...agent.record, strategyDecisionIds: steps.slice(0, n) }, checkpoints: [nextCheckpoint(agent.planId, steps.slice(0, n))] });
  }
  const undo = nextCheckpoint(agent.planId, steps, { trigger: 'pre-rollback' });
  await store.commit({ planId: agent.planId, record: { ...agent.record, strategyDecisionIds: steps.slice(0, 2) }, checkpoints: [undo] });
  const other = [id('01J0000000000000000STEPB', 1), id('01J0000000000000000STEPB', 2)];
  for (let n = 1; n <= 2; n++) {
    const list = [...steps.slice(0, 2), ...other.slice(0, n)];
    await store.commit({ planId: agent.planId, record: { ...agent.record, strategyDecisionIds: list }, checkpoints: [nextCheckpoint(agent.planId, list)] });
  }

  // a scripted plan: three steps decided up front, then a correction puts two in after the first
  const scripted = planCreation('demo/scripted');
  await store.createPlan(scripted);
  const decided = [1, 2, 3].map((n) => id('01J0000000000000000STEPC', n));
  await store.commit({ planId: scripted.planId, record: { ...scripted.record, strategyDecisionIds: decided }, checkpoints: [nextCheckpoint(scripted.planId, decided, { trigger: 'phase' })] });
  const spliced = [decided[0]!, id('01J0000000000000000STEPD', 1), id('01J0000000000000000STEPD', 2), ...decided.slice(1)];
  await store.commit({
    planId: scripted.planId,
    record: { ...scripted.record, strategyDecisionIds: spliced },
    checkpoints: [nextCheckpoint(scripted.planId, decided, { trigger: 'pre-correction' }), nextCheckpoint(scripted.planId, spliced)],
  });

  // a plan with no steps and one checkpoint
  const empty = planCreation('demo/empty');
  await store.createPlan(empty);
  await store.commit({ planId: empty.planId, record: empty.record, checkpoints: [nextCheckpoint(empty.planId, [], { trigger: 'manual', label: 'start' })] });

  const expected: Record<string, { name: string; strategyDecisionIds: string[]; checkpoints: Record<string, string[]> }> = {};
  for (const plan of await store.listPlans()) {
    const checkpoints = Object.fromEntries((await store.listCheckpoints(plan.id)).map((c) => [c.id, c.stepIds]));
    expected[plan.id] = { name: plan.name, strategyDecisionIds: plan.strategyDecisionIds, checkpoints };
  }
  await store.close();
  await writeFile(join(here, 'expected.json'), `${JSON.stringify(expected, null, 2)}\n`);
}

await main();
