import { resolve } from 'node:path';
import { DEFAULT_PROJECT, ValidationError, type ProjectRecord } from '../../domain/index.js';
import type { Store } from '../../store/index.js';
import { findProjectRoot } from '../../sandbox/index.js';

// a registered project's name (SPEC §3), as plan files write it in `project:`
const PROJECT_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/**
 * Register another repository as a project plans may name in `project:`
 * (SPEC §3): its name checked, its path resolved from `dir` to the root of
 * its git repository. `VALIDATION_ERROR` for a bad name, no path, or this
 * project itself.
 *
 * @example
 * const project = await registerProject(store, '/repo', 'docs-site', '../docs-site', new Date().toISOString());
 */
export async function registerProject(
  store: Store,
  dir: string,
  name: string,
  path: string,
  now: string,
): Promise<ProjectRecord> {
  const problem =
    typeof name !== 'string' || !PROJECT_NAME.test(name)
      ? 'must be 1-64 characters a-z, 0-9 and "-", starting with a letter'
      : name === DEFAULT_PROJECT
        ? `"${DEFAULT_PROJECT}" is this project's own name`
        : null;
  if (problem)
    throw new ValidationError([{ path: 'name', message: problem }], {
      hint: 'e.g. troupe project add docs-site ../docs-site',
    });
  if (typeof path !== 'string' || path === '')
    throw new ValidationError([{ path: 'path', message: 'is required: the path of a git repository' }]);
  const root = await findProjectRoot(resolve(dir, path));
  if (root === dir)
    throw new ValidationError([
      { path: 'path', message: `${path} is this project (${dir}); register other repositories` },
    ]);
  const project: ProjectRecord = { name, path: root, addedAt: now };
  await store.addProject(project);
  return project;
}

/**
 * This project (`default`, at `dir`) and the registered ones.
 *
 * @example
 * for (const project of await projectsOf(store, '/repo')) console.log(project.name, project.path);
 */
export async function projectsOf(store: Store, dir: string): Promise<ProjectRecord[]> {
  return [{ name: DEFAULT_PROJECT, path: dir, addedAt: '' }, ...(await store.listProjects())];
}
