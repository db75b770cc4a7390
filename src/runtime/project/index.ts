// The project wing (SPEC §3): .troupe/config.json and which store it chooses, the other
// repositories registered as projects, and the projects part of the Runtime interface.
export { loadProjectConfig, projectConfigPath, projectConfigSchema, type ProjectConfig } from './project-config.js';
export { projectsOf, registerProject } from './project-registry.js';
export type { ProjectMethods, InitResult } from './project-api.js';
export { initProject } from './init-project.js';
export { shareDependencies, type DependencySharing } from './shared-dependencies.js';
export { findSettingsRoot } from './settings-root.js';
export { uncommittedInScope } from './uncommitted-changes.js';
