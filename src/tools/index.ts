// Tools (SPEC §7): definitions, the registry, the runner every call goes
// through and the built-ins. Depends on src/domain only; the sandbox
// provides the PathGuard and the runtime runs commands (ToolContext.runCommand).
export * from './types.js';
export { defineTool, type ToolDefinition } from './define-tool.js';
export { ToolRegistry, createToolRegistry, type JsonSchema } from './tool-registry.js';
export { ToolRunner, type ToolCheckOptions } from './tool-runner.js';
export * from './builtins/index.js';
