// The project wing (SPEC §3): .troupe/config.json and which store it chooses.
export { loadProjectConfig, projectConfigSchema, type ProjectConfig } from './project-config.js';
