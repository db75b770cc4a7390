import { DEFAULT_PROJECT, TroupeError, ValidationError, type PlanRecord } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { createProjectRepo, listed } from '../../sandbox/index.js';
import { engineMerger } from './engine-merger.js';

/** What applying a root's children of other projects needs of the child plans. */
export interface ProjectChildrenHost {
  store: Store;
  readPlan(planId: string): Promise<PlanRecord>;
  /** The child's commit is in: it ends `done`. */
  merged(childId: string, commit: string): Promise<void>;
  /** Let the merged child's sandbox go. */
  release(childIds: readonly string[]): Promise<void>;
}

/**
 * Apply the children of a root plan that work in other registered projects
 * (SPEC §8): each validated one's changes are committed onto its project's
 * branch, then it ends `done` and its sandbox goes. A project no longer
 * registered is a VALIDATION_ERROR, a project that changed the same lines a
 * MERGE_CONFLICT naming the files.
 *
 * @example
 * const applied = await applyProjectChildren(host, rootId);
 * for (const child of applied) console.log(child.name, child.project, child.commit);
 */
export async function applyProjectChildren(
  host: ProjectChildrenHost,
  rootId: string,
): Promise<{ name: string; project: string; commit: string | null }[]> {
  const { store } = host;
  const root = await host.readPlan(rootId);
  const waiting = (await store.listPlans()).filter(
    (plan) =>
      plan.rootId === rootId &&
      plan.id !== rootId &&
      plan.project !== DEFAULT_PROJECT &&
      plan.phase === 'validate' &&
      plan.status === 'complete' &&
      plan.sandbox,
  );
  const applied: { name: string; project: string; commit: string | null }[] = [];
  for (const child of waiting) {
    const project = await store.getProject(child.project);
    if (!project)
      throw new ValidationError(
        [
          {
            path: 'project',
            message: `${child.name} works in project "${child.project}", which is no longer registered`,
          },
        ],
        { hint: `troupe project add ${child.project} <path>` },
      );
    const repo = createProjectRepo(project.path, engineMerger(project.path));
    const result = await repo.applyChanges({
      base: child.sandbox!.baseCommit,
      head: child.sandbox!.headCommit,
      planId: child.id,
      message: `${child.goal}\n\nApplied by troupe plan ${child.name}, child of ${root.name}.`,
    });
    if (result.status === 'conflict') {
      const files = result.conflicts.map((conflict) => conflict.file);
      throw new TroupeError(
        'MERGE_CONFLICT',
        `cannot apply ${child.name} to project ${child.project}: ${files.length} ${files.length === 1 ? 'file conflicts' : 'files conflict'}: ${listed(files)}`,
        {
          details: {
            project: child.project,
            planId: child.id,
            files,
            conflicts: result.conflicts.map(({ file, kind, hunks }) => ({ file, kind, hunks })),
          },
          hint: `${project.path} changed the same lines since the child started: make that project agree with it, then troupe plan apply ${root.name} again`,
        },
      );
    }
    const commit = result.status === 'applied' ? result.commit : null;
    await host.merged(child.id, commit ?? child.sandbox!.headCommit);
    await host.release([child.id]);
    applied.push({ name: child.name, project: child.project, commit });
  }
  return applied;
}
