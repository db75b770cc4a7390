// The project wing (SPEC §3): .troupe/config.json and which store it chooses, and the projects
// part of the Runtime interface.
export { loadProjectConfig, projectConfigPath, projectConfigSchema, type ProjectConfig } from './project-config.js';
export type { ProjectMethods, InitResult } from './project-api.js';
export { initProject } from './init-project.js';
export { shareDependencies, type DependencySharing } from './shared-dependencies.js';
