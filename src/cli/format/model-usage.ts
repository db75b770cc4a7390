import type { ModelUsage } from '../../domain/index.js';
import { formatElapsed } from './progress.js';

/**
 * What a plan's model calls cost, in a line (`plan status`, `plan explain`).
 *
 * @example
 * usageText({ calls: 3, inputTokens: 1234, outputTokens: 56, totalTokens: 1290, latencyMs: 4200, models: ['openai:gpt-4.1'] });
 * // '3 calls · 1,234 in / 56 out tokens · 4.2 s · openai:gpt-4.1'
 */
export function usageText(usage: ModelUsage): string {
  const count = (value: number) => value.toLocaleString('en-US');
  return `${usage.calls} call${usage.calls === 1 ? '' : 's'} · ${count(usage.inputTokens)} in / ${count(usage.outputTokens)} out tokens · ${formatElapsed(usage.latencyMs)} · ${usage.models.join(', ')}`;
}
