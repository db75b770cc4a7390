import assert from 'node:assert/strict';
import { Given, Then, When } from '@cucumber/cucumber';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { assertIncludes } from '../support/json-match.js';
import { TROUPE_BIN, troupeEnv } from '../support/troupe-cli.js';
import type { TroupeWorld } from '../support/world.js';

// A coding agent, played by the MCP SDK's own client, connected to `troupe mcp` in the project.

interface ToolAnswer {
  isError?: boolean;
  content: { type: string; text?: string }[];
  structuredContent?: Record<string, unknown>;
}

const agents = new WeakMap<TroupeWorld, { client: Client; answer: ToolAnswer | undefined }>();

function agentOf(world: TroupeWorld) {
  const agent = agents.get(world);
  if (!agent)
    throw new Error(
      'no agent is connected in this scenario: "Given a coding agent connected to troupe mcp in the project"',
    );
  return agent;
}

function answerOf(world: TroupeWorld): ToolAnswer {
  const { answer } = agentOf(world);
  if (!answer) throw new Error('the agent has called no tool yet');
  return answer;
}

const textOf = (answer: ToolAnswer) => answer.content.map((part) => part.text ?? '').join('\n');

Given('a coding agent connected to troupe mcp in the project', async function (this: TroupeWorld) {
  const env = Object.fromEntries(
    Object.entries(troupeEnv(this.home)).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const client = new Client({ name: 'feature-agent', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [TROUPE_BIN, '-C', this.project, 'mcp'],
      env,
      stderr: 'ignore',
    }),
  );
  agents.set(this, { client, answer: undefined });
  this.closables.push({ close: () => client.close() });
});

When('the agent calls {word} with:', async function (this: TroupeWorld, tool: string, args: string) {
  const agent = agentOf(this);
  agent.answer = (await agent.client.callTool(
    { name: tool, arguments: JSON.parse(args) as Record<string, unknown> },
    undefined,
    { timeout: 120_000 },
  )) as ToolAnswer;
});

Then('the tool answers without an error', function (this: TroupeWorld) {
  const answer = answerOf(this);
  assert.ok(!answer.isError, `the tool answered an error: ${textOf(answer)}`);
});

Then('the tool answers error {word}', function (this: TroupeWorld, code: string) {
  const answer = answerOf(this);
  assert.equal(answer.isError, true, `the tool answered no error: ${textOf(answer)}`);
  assert.ok(textOf(answer).startsWith(`error[${code}]: `), textOf(answer));
});

Then('the tool’s answer includes:', function (this: TroupeWorld, expected: string) {
  assertIncludes(answerOf(this).structuredContent, JSON.parse(expected));
});

Then('the tool’s text mentions {string}', function (this: TroupeWorld, text: string) {
  assert.ok(textOf(answerOf(this)).includes(text), textOf(answerOf(this)));
});
