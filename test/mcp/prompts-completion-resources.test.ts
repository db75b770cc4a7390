import { describe, expect, it } from 'vitest';
import { CompleteResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { openPlan, session } from './server-fixture.js';

// what `troupe mcp` serves besides tools: its prompts, completions of their arguments, and a plan's resources
describe('prompts, completion and resources', () => {
  it('offers two prompts and fills them in', async () => {
    const mcp = await session();
    const { prompts } = await mcp.client.listPrompts();
    expect(
      prompts.map((prompt) => [
        prompt.name,
        prompt.arguments?.map((argument) => `${argument.name}${argument.required ? '' : '?'}`),
      ]),
    ).toEqual([
      ['work_in_plan', ['goal', 'scopes?']],
      ['review_plan', ['plan']],
    ]);
    const work = await mcp.client.getPrompt({
      name: 'work_in_plan',
      arguments: { goal: 'Add a greeting', scopes: 'src/**, docs/*.md' },
    });
    const text = (work.messages[0]!.content as { text: string }).text;
    expect(text).toContain('resourceScopes: ["src/**","docs/*.md"]');
    expect(text).toContain('Do not plan_apply until I say so.');
    const everything = await mcp.client.getPrompt({ name: 'work_in_plan', arguments: { goal: 'Anything' } });
    expect((everything.messages[0]!.content as { text: string }).text).toContain('resourceScopes: ["**"]');
    const review = await mcp.client.getPrompt({ name: 'review_plan', arguments: { plan: 'agent/x' } });
    expect((review.messages[0]!.content as { text: string }).text).toMatch(/^Review the troupe plan agent\/x:/);
    await expect(mcp.client.getPrompt({ name: 'nope' })).rejects.toThrow(/Unknown prompt: nope/);
    await expect(mcp.client.getPrompt({ name: 'review_plan', arguments: {} })).rejects.toThrow(/needs plan/);
  });

  it('completes plan names and ids, and nothing else', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp, 'agent/complete-me');
    const complete = (params: Record<string, unknown>) =>
      mcp.client.request({ method: 'completion/complete', params }, CompleteResultSchema);
    const names = await complete({
      ref: { type: 'ref/prompt', name: 'review_plan' },
      argument: { name: 'plan', value: 'agent/c' },
    });
    expect(names.completion).toEqual({ values: ['agent/complete-me'], total: 1, hasMore: false });
    const ids = await complete({
      ref: { type: 'ref/resource', uri: 'troupe://plans/{id}' },
      argument: { name: 'id', value: plan.id.slice(0, 8).toLowerCase() },
    });
    expect(ids.completion.values).toEqual([plan.id]);
    const goal = await complete({
      ref: { type: 'ref/prompt', name: 'work_in_plan' },
      argument: { name: 'goal', value: 'a' },
    });
    expect(goal.completion.values).toEqual([]);
    await expect(
      complete({
        ref: { type: 'ref/prompt', name: 'test_prompt_with_arguments' },
        argument: { name: 'arg1', value: 'x' },
      }),
    ).rejects.toThrow(/Nothing to complete/);
  });

  it('reads a plan’s record, decisions and journal by id or encoded name, page by page, and refuses what it does not serve', async () => {
    const mcp = await session();
    const plan = await openPlan(mcp);
    const { resources } = await mcp.client.listResources();
    expect(resources).toEqual([
      {
        uri: `troupe://plans/${plan.id}`,
        name: 'agent/x',
        title: 'agent/x (execute · waiting)',
        description: 'Work',
        mimeType: 'application/json',
      },
    ]);
    const text = async (uri: string) =>
      JSON.parse(((await mcp.client.readResource({ uri })).contents[0] as { text: string }).text);
    expect(await text(`troupe://plans/${encodeURIComponent('agent/x')}`)).toMatchObject({ id: plan.id });
    const events = await text(`troupe://plans/${plan.id}/events`);
    expect(events).toMatchObject({ more: false });
    const later = await text(`troupe://plans/${plan.id}/events?afterSeq=${events.events.at(-1).seq - 1}`);
    expect(later.events).toHaveLength(1);
    await expect(mcp.client.readResource({ uri: 'troupe://projects/x' })).rejects.toThrow(
      /Resource not found: troupe:\/\/projects\/x/,
    );
    await expect(mcp.client.readResource({ uri: `troupe://plans/${plan.id}/decisions?afterSeq=3` })).rejects.toThrow(
      /Resource not found/,
    );
    await expect(mcp.client.readResource({ uri: 'troupe://plans/agent%2Fnobody' })).rejects.toThrow(
      /Resource not found: no plan/,
    );
    await mcp.client.unsubscribeResource({ uri: `troupe://plans/${plan.id}` });
    await mcp.client.setLoggingLevel('warning');
  });
});
