import { Given } from '@cucumber/cucumber';
import { startFakeOpenAI, type FakeTurn } from '../../test/helpers/fake-openai.js';
import { writeProjectFile } from '../support/fixture-git.js';
import type { TroupeWorld } from '../support/world.js';

// A model behind an OpenAI-compatible server on 127.0.0.1, answering in turn as a scenario's table says (docs/how-to/agents.md).

const servers = new WeakMap<TroupeWorld, string>();

Given(
  'a model server on 127.0.0.1 that answers, in turn:',
  async function (this: TroupeWorld, table: { hashes(): Record<string, string>[] }) {
    const turns: FakeTurn[] = table.hashes().map((row) => {
      if (row.status) return { status: Number(row.status) };
      return {
        text: row.text ?? '',
        calls: row.tool ? [{ name: row.tool, input: JSON.parse(row.input || '{}') as unknown }] : [],
      };
    });
    const server = await startFakeOpenAI(turns);
    servers.set(this, server.url);
    this.closables.push(server);
  },
);

Given(
  'a plan file {string} driven by the model server:',
  async function (this: TroupeWorld, path: string, text: string) {
    const url = servers.get(this);
    if (!url)
      throw new Error('no model server in this scenario: "Given a model server on 127.0.0.1 that answers, in turn:"');
    await writeProjectFile(
      this.project,
      path,
      `${text}\nagent:\n  model: openai-compatible:scenario-coder\n  baseURL: ${url}\n  maxSteps: 5\n`,
    );
    this.planFiles.push(path);
    this.planName = /^name:\s*(\S+)/m.exec(text)?.[1];
  },
);
