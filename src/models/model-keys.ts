import { TroupeError, apiKeyVariable, type AgentSettings } from '../domain/index.js';

/**
 * The key a plan's model is called with: the value of the variable
 * `agent.apiKeyEnv` names (default: the provider's usual one) in `env`,
 * troupe's own environment; null for a model that needs none (a local
 * OpenAI-compatible server). A key that is needed and not set is
 * `MODEL_UNAVAILABLE` naming the variable. The key is never stored,
 * journaled, or given to a plan's commands (their environment is an
 * allowlist: docs/sandbox.md).
 *
 * @example
 * keyOf({ model: 'anthropic:claude-sonnet-4-5' }, process.env); // the value of ANTHROPIC_API_KEY, or MODEL_UNAVAILABLE
 */
export function keyOf(agent: Pick<AgentSettings, 'model' | 'apiKeyEnv'>, env: Readonly<Record<string, string | undefined>>): string | null {
  const variable = apiKeyVariable(agent);
  if (variable === null) return null;
  const value = env[variable];
  if (value !== undefined && value.trim() !== '') return value;
  const named = agent.apiKeyEnv === undefined ? ` (the default for ${agent.model.split(':')[0]}; agent.apiKeyEnv names another)` : ' (agent.apiKeyEnv)';
  return missingKey(agent.model, variable, named);
}

function missingKey(model: string, variable: string, named: string): never {
  throw new TroupeError('MODEL_UNAVAILABLE', `the model ${model} needs a key in the environment variable ${variable}${named}, which is not set`, {
    hint: `set ${variable} in the environment of the troupe process that runs the plan (export ${variable}=…), never in the plan file — docs/agents.md#keys`,
    details: { model, variable },
  });
}
