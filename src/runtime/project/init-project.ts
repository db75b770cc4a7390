import { initProject as setUpRepository } from '../../sandbox/index.js';
import type { InitResult } from './project-api.js';
import { shareDependencies } from './shared-dependencies.js';

/**
 * `troupe init`: make the repository holding `dir` a troupe project
 * (`.troupe/`, its config, the `info/exclude` line) and share the
 * dependency folders installed at its root with plans, read-only, in
 * `sandbox.share` of `.troupe/config.json` — kept and added to when the
 * config lists some already. Idempotent: `created` (the setup) and `added` say what
 * this call did.
 *
 * @example
 * const { root, added } = await initProject('.');
 * for (const folder of added) console.log(`sharing ${folder} read-only with plans`);
 */
export async function initProject(dir: string): Promise<InitResult> {
  const { root, created } = await setUpRepository(dir);
  const sharing = await shareDependencies(root);
  return { root, created, ...sharing };
}
