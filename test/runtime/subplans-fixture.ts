import type { PlanRecord } from '../../src/domain/index.js';
import type { LocalRuntime } from '../../src/runtime/local-runtime.js';
import { planYaml, step } from './fixtures.js';

// Subplans end to end (SPEC §8, §9): child plans are real plans in their own
// sandboxes, run by the supervisor and merged back into the parent.

/** A child entry that writes one file. */
export function writer(file: string, content: string, extra: Record<string, unknown> = {}) {
  return {
    goal: `Write ${file}`,
    resourceScopes: [file],
    strategy: { steps: [step(`Write ${file}`, 'fs/write-file', { path: file, content })] },
    ...extra,
  };
}

/** A review plan `demo/fan` whose one step fans out to `entries` (parallel, two at a time unless `settings` say otherwise); `plan` adds plan-file fields. */
export function group(entries: unknown[], settings: Record<string, unknown> = {}, plan: Record<string, unknown> = {}) {
  return planYaml({
    name: 'demo/fan',
    automation: 'review',
    ...plan,
    strategy: { steps: [{ title: 'Fan out', subplans: { mode: 'parallel', maxParallel: 2, entries, ...settings } }] },
  });
}

/** The child plans of `parent`, in the order the store lists plans. */
export async function children(runtime: LocalRuntime, parent: PlanRecord): Promise<PlanRecord[]> {
  return (await runtime.listPlans({ all: true })).filter((plan) => plan.parentId === parent.id);
}
