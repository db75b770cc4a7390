// Tools (SPEC §7): definitions, the registry, the runner every call goes
// through, the built-ins and the command runner shell/run and invariant
// checks use. Depends on src/domain only; the sandbox provides the PathGuard.
export * from './types.js';
export { defineTool, type ToolDefinition } from './define-tool.js';
export { ToolRegistry, createToolRegistry, type JsonSchema } from './tool-registry.js';
export { ToolRunner, type ToolCheckOptions } from './tool-runner.js';
export { runCommand, type CommandResult, type RunCommandOptions } from './run-command.js';
export { ProcessLedger } from './process-ledger.js';
export { COMMAND_ENV_ALLOWLIST, commandEnv } from './command-env.js';
export * from './builtins/index.js';
