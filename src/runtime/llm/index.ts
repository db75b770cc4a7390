// The llm wing: a plan's own model driving it — the loop of model and tool calls through
// the agent calls, the conversation rebuilt from what the plan recorded, the model's tools.
export { ModelDrives } from './model-drives.js';
export type { ModelDriveHost } from './model-drive-host.js';
export { conversationOf, type Conversation } from './conversation.js';
export { checkPlanModel } from './plan-model-check.js';
