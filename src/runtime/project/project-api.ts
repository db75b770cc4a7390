// The projects part of the Runtime interface (SPEC §3): the other git repositories child plans
// may work in. runtime.ts assembles Runtime from a part per wing.
import type { ProjectRecord } from '../../domain/index.js';

/**
 * The result of `init`: the project's root, whether anything was set up,
 * and its dependency folders shared with plans (`sandbox.share`: all it
 * lists, the ones this init added, why it could not add them).
 */
export interface InitResult {
  root: string;
  created: boolean;
  shared: string[];
  added: string[];
  /** Of `added`, the files git ignores that the project's installed environment needs (docs/explanation/sandbox.md#generated-files). */
  generated: string[];
  kept?: string;
}

/**
 * The Runtime's projects (SPEC §3): this one (`default`) and the other git
 * repositories registered for child plans to work in.
 *
 * @example
 * await runtime.addProject('docs', '../docs-site');
 * console.log((await runtime.listProjects()).map((project) => project.name));
 */
export interface ProjectMethods {
  /**
   * Register another git repository as a project (SPEC §3), for child plans
   * that work in it. `VALIDATION_ERROR` for a bad or taken name or this
   * project itself; `NOT_A_GIT_REPO` for a path outside a repository.
   */
  addProject(name: string, path: string): Promise<ProjectRecord>;
  /** This project (`default`) and the registered ones, by name. */
  listProjects(): Promise<ProjectRecord[]>;
}
