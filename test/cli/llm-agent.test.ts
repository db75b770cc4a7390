import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../helpers/fake-openai.js';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from './run-cli.js';

// A plan driven by its model from the CLI (issue 40): --stream, the progress lines, status and explain with the model's costs.

let dir: string;
let cleanup: () => Promise<void>;
let fake: Awaited<ReturnType<typeof startFakeOpenAI>>;
let streamed: { code: number; stdout: string };
beforeAll(async () => {
  ({ dir, cleanup } = await tempRepo({ 'README.md': '# project\n' }));
  fake = await startFakeOpenAI([
    {
      text: 'Writing the notes.',
      calls: [{ name: 'write_file', input: { path: 'notes.txt', content: 'n\n' } }],
      inputTokens: 1200,
      outputTokens: 30,
    },
    { text: 'All done.', inputTokens: 1300, outputTokens: 5 },
    { text: 'Nothing to do.' },
  ]);
  const agent = { model: 'openai-compatible:fake-coder', baseURL: fake.url };
  writeFileSync(join(dir, 'streamed.yaml'), stringify({ name: 'demo/streamed', goal: 'Write notes', agent }));
  writeFileSync(join(dir, 'quiet.yaml'), stringify({ name: 'demo/quiet', goal: 'Do nothing', agent }));
  streamed = await runCli(dir, ['plan', 'run', 'streamed.yaml', '--stream']);
});
afterAll(async () => {
  await fake.close();
  await cleanup();
});

describe('a model-driven plan from the CLI', () => {
  it('prints the model’s text as it comes under --stream, between the journal’s events', () => {
    expect(streamed.code).toBe(0);
    const events = streamed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { type: string; seq: number; data: Record<string, unknown> });
    const text = events.filter((event) => event.type === 'model.text');
    expect(text.map((event) => event.data.delta).join('')).toBe('Writing the notes.All done.');
    expect(text.every((event) => event.seq === 0)).toBe(true);
    const types = events.map((event) => event.type);
    // each answer's text comes before the call it led to was recorded
    expect(types.indexOf('model.text')).toBeLessThan(types.indexOf('model.called'));
    expect(events.filter((event) => event.type === 'model.called').map((event) => event.data.tools)).toEqual([
      ['write_file'],
      [],
    ]);
  });

  it('shows each model call in the progress lines, and its costs in plan status and plan explain', async () => {
    const run = await runCli(dir, ['plan', 'run', 'quiet.yaml']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/model openai-compatible:fake-coder: done \(50 → 10 tokens, \d+\.\d s\)/);
    const status = await runCli(dir, ['plan', 'status', 'demo/streamed']);
    expect(status.stdout).toMatch(
      /model\s+2 calls · 2,500 in \/ 35 out tokens · \d+\.\d s · openai-compatible:fake-coder/,
    );
    const json = JSON.parse((await runCli(dir, ['plan', 'status', 'demo/streamed', '--json'])).stdout) as {
      models: unknown;
    };
    expect(json.models).toEqual({
      calls: 2,
      inputTokens: 2500,
      outputTokens: 35,
      totalTokens: 2535,
      latencyMs: expect.any(Number),
      models: ['openai-compatible:fake-coder'],
    });
    const explain = await runCli(dir, ['plan', 'explain', 'demo/streamed']);
    expect(explain.stdout).toContain('model_call model call 1: write_file');
    expect(explain.stdout).toContain('Writing the notes.');
    expect(explain.stdout).toContain('1200 → 30 tokens');
    expect(explain.stdout).toMatch(/model calls: 2 calls · 2,500 in \/ 35 out tokens/);
  });
});
