import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MODEL_PROVIDERS,
  ValidationError,
  apiKeyVariable,
  modelRefProblem,
  parseModelRef,
  parsePlanFile,
  type FieldIssue,
} from '../../src/domain/index.js';

function issues(agent: unknown, extra: Record<string, unknown> = {}): string[] {
  try {
    parsePlanFile({ name: 'demo/x', goal: 'g', agent, ...extra });
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((issue: FieldIssue) => `${issue.path}: ${issue.message}`);
  }
  throw new Error('expected the plan file to be refused');
}

describe('the agent block of a plan file (issue 40)', () => {
  it('takes a model of each provider, with defaults filled in', () => {
    const spec = parsePlanFile({ name: 'demo/x', goal: 'g', agent: { model: 'anthropic:claude-sonnet-4-5' } });
    expect(spec.agent).toEqual({ model: 'anthropic:claude-sonnet-4-5', maxSteps: 30, strategize: false });
    const local = parsePlanFile({
      name: 'demo/x',
      goal: 'g',
      agent: {
        model: 'openai-compatible:qwen2.5-coder:7b',
        baseURL: 'http://127.0.0.1:11434/v1',
        temperature: 0,
        system: 'Be brief.\nUse tabs.',
        maxSteps: 5,
      },
    });
    expect(local.agent).toMatchObject({
      model: 'openai-compatible:qwen2.5-coder:7b',
      baseURL: 'http://127.0.0.1:11434/v1',
      temperature: 0,
      maxSteps: 5,
    });
  });

  it.each([
    ['a model without a provider', { model: 'claude-sonnet-4-5' }, 'agent.model: must be <provider>:<model id>'],
    [
      'an unknown provider',
      { model: 'gemini:pro' },
      'agent.model: unknown provider "gemini" (providers: anthropic, openai, openai-compatible)',
    ],
    ['a provider without a model', { model: 'openai:' }, 'agent.model: names no model after "openai:"'],
    [
      'a baseURL that is not http(s)',
      { model: 'openai-compatible:x', baseURL: 'file:///etc/passwd' },
      'agent.baseURL: must be an http(s) URL (got file:)',
    ],
    [
      'a baseURL that is no URL',
      { model: 'openai:x', baseURL: 'localhost:11434' },
      'agent.baseURL: must be an http(s) URL',
    ],
    [
      'a key in the baseURL',
      { model: 'openai-compatible:x', baseURL: 'https://me:sk-1@llm.example/v1' },
      'agent.baseURL: must not hold credentials',
    ],
    [
      'an openai-compatible model without baseURL',
      { model: 'openai-compatible:x' },
      'agent.baseURL: an openai-compatible model needs the server’s URL',
    ],
    ['maxSteps out of range', { model: 'openai:x', maxSteps: 0 }, 'agent.maxSteps: must be between 1 and 1000'],
    ['a temperature out of range', { model: 'openai:x', temperature: 3 }, 'agent.temperature: must be between 0 and 2'],
    [
      'a variable that holds no API key',
      { model: 'openai-compatible:x', baseURL: 'http://127.0.0.1:8000/v1', apiKeyEnv: 'AWS_SECRET_ACCESS_KEY' },
      'agent.apiKeyEnv: must name an API key variable: upper-case letters, digits and _, ending in _API_KEY (ANTHROPIC_API_KEY, OPENAI_API_KEY, GROQ_API_KEY',
    ],
    [
      'a key variable in lower case',
      { model: 'openai:x', apiKeyEnv: 'openai_api_key' },
      'agent.apiKeyEnv: must name an API key variable',
    ],
    [
      'a variable name that is none',
      { model: 'openai:x', apiKeyEnv: 'MY-KEY' },
      'agent.apiKeyEnv: must name an API key variable',
    ],
    [
      'a baseURL with a query',
      { model: 'openai-compatible:x', baseURL: 'http://10.0.0.5:2375/containers/create?x=' },
      'agent.baseURL: must not have a query or a fragment',
    ],
    [
      'a baseURL with a fragment',
      { model: 'openai-compatible:x', baseURL: 'http://10.0.0.5/admin/delete#' },
      'agent.baseURL: must not have a query or a fragment',
    ],
    ['a key itself', { model: 'openai:x', apiKey: 'sk-1' }, 'agent.apiKey: is not a known field'],
    ['control characters in system', { model: 'openai:x', system: 'be \u001b[31mred' }, 'agent.system:'],
  ])('refuses %s, naming the field', (_, agent, expected) => {
    expect(issues(agent).some((issue) => issue.startsWith(expected))).toBe(true);
  });

  it('refuses strategize with a strategy of the plan file’s own', () => {
    expect(issues({ model: 'openai:x', strategize: true }, { strategy: { steps: [] } })).toEqual([
      'agent.strategize: the model decides the strategy of a plan without one: leave out strategy, or strategize',
    ]);
  });

  it('names the key variable of each provider, or the one apiKeyEnv gives', () => {
    expect(apiKeyVariable({ model: 'anthropic:x' })).toBe('ANTHROPIC_API_KEY');
    expect(apiKeyVariable({ model: 'openai:x' })).toBe('OPENAI_API_KEY');
    expect(apiKeyVariable({ model: 'openai-compatible:x' })).toBeNull();
    expect(apiKeyVariable({ model: 'openai-compatible:x', apiKeyEnv: 'VLLM_API_KEY' })).toBe('VLLM_API_KEY');
  });

  it('parses a model reference exactly when it finds nothing wrong with it, and never throws', () => {
    const refs = fc.oneof(
      fc.string(),
      fc.tuple(fc.constantFrom(...MODEL_PROVIDERS, 'x', ''), fc.string()).map(([provider, id]) => `${provider}:${id}`),
    );
    fc.assert(
      fc.property(refs, (ref) => {
        const parsed = parseModelRef(ref);
        const problem = modelRefProblem(ref);
        if (problem === null) expect(parsed).not.toBeNull();
        if (parsed === null) expect(problem).not.toBeNull();
        if (parsed) expect(`${parsed.provider}:${parsed.modelId}`).toBe(ref);
      }),
    );
  });
});
