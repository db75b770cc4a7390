// The project wing (SPEC §3): .troupe/config.json and which store it chooses, and the projects
// part of the Runtime interface.
export { loadProjectConfig, projectConfigSchema, type ProjectConfig } from './project-config.js';
export type { ProjectMethods, InitResult } from './project-api.js';
