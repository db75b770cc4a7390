// The model port: one call of a plan's model through the AI SDK, whatever its provider,
// retried with backoff then MODEL_UNAVAILABLE; the key read from troupe's own environment.
export { createModels } from './ai-sdk-models.js';
export { keyOf } from './model-keys.js';
export { mask } from './model-errors.js';
export type { LanguageModelLike, ModelCallOptions, ModelOptions, ModelPort } from './types.js';
