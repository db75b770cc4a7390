import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { agentSchema, type ModelRequest } from '../../src/domain/index.js';
import { createModels } from '../../src/models/index.js';
import { keyedFetch } from '../../src/models/model-keys.js';
import { startFakeOpenAI } from '../helpers/fake-openai.js';

// The model port sends a key only where the user allows (docs/how-to/agents.md#keys), checked as each call is
// made, with real provider packages against servers on 127.0.0.1 that count what reaches them.

const KEY = 'sk-endpoint-test-4b1d9e7a2c';
const request: ModelRequest = {
  system: 'You change code.',
  messages: [{ role: 'user', text: 'Goal: nothing' }],
  tools: [],
};
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

// a server that keeps what reached it and answers every request with `answer`
async function recorder(answer: (url: string) => { status: number; headers?: Record<string, string> }) {
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    const { status, headers } = answer(req.url ?? '');
    res
      .writeHead(status, { 'content-type': 'application/json', ...headers })
      .end(JSON.stringify({ error: { message: `recorded ${status}`, type: 'test' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
  return { origin, seen };
}

async function fakeServer() {
  const fake = await startFakeOpenAI([{ text: 'hello' }]);
  cleanups.push(fake.close);
  return fake;
}

describe('where the model port sends a key', () => {
  it('refuses a loopback the plan’s commands share, before any request, and says how to allow it', async () => {
    const fake = await fakeServer();
    const agent = agentSchema.parse({
      model: 'openai-compatible:fake',
      baseURL: fake.url,
      apiKeyEnv: 'OPENAI_API_KEY',
    });
    const models = createModels({ env: { OPENAI_API_KEY: KEY }, retryDelayMs: 1 });
    const origin = new URL(fake.url).origin;
    await expect(models.call(request, { agent, sharedLoopback: true })).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: `agent.baseURL: the key in OPENAI_API_KEY would leave troupe for ${origin}, a loopback address the plan’s own commands can listen on (they share the host’s network: network: true, or the sandbox is off)`,
      hint: expect.stringContaining(`TROUPE_MODEL_ENDPOINTS=${origin}`),
      details: { origin, variable: 'OPENAI_API_KEY' },
    });
    expect(() => models.checkKey(agent, { sharedLoopback: true })).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('agent.baseURL: the key in OPENAI_API_KEY would leave troupe for'),
      }),
    );
    expect(fake.requests).toHaveLength(0);
    // unshared, the loopback is the user's: the same call goes, with its key
    await expect(models.call(request, { agent })).resolves.toMatchObject({ text: 'hello' });
    expect(fake.requests.map((sent) => sent.headers.authorization)).toEqual([`Bearer ${KEY}`]);
  });

  it.each([
    [
      'TROUPE_MODEL_ENDPOINTS',
      (origin: string) => ({
        env: { OPENAI_API_KEY: KEY, TROUPE_MODEL_ENDPOINTS: `https://other.internal, ${origin}` },
      }),
    ],
    ['the endpoints option', (origin: string) => ({ env: { OPENAI_API_KEY: KEY }, endpoints: [origin] })],
  ])('sends it to an origin listed in %s', async (_, options) => {
    const fake = await fakeServer();
    const agent = agentSchema.parse({
      model: 'openai-compatible:fake',
      baseURL: fake.url,
      apiKeyEnv: 'OPENAI_API_KEY',
    });
    const models = createModels(options(new URL(fake.url).origin));
    expect(() => models.checkKey(agent, { sharedLoopback: true })).not.toThrow();
    await expect(models.call(request, { agent, sharedLoopback: true })).resolves.toMatchObject({ text: 'hello' });
    expect(fake.requests).toHaveLength(1);
  });

  it('refuses a list entry that is no origin, naming where it came from', () => {
    const agent = agentSchema.parse({ model: 'openai:gpt-5' });
    expect(() =>
      createModels({ env: { OPENAI_API_KEY: KEY, TROUPE_MODEL_ENDPOINTS: 'https://gateway.internal/v1' } }).checkKey(
        agent,
      ),
    ).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('TROUPE_MODEL_ENDPOINTS: "https://gateway.internal/v1" must be an origin'),
      }),
    );
    expect(() => createModels({ env: { OPENAI_API_KEY: KEY }, endpoints: ['gateway'] }).checkKey(agent)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('models.endpoints: "gateway" must be an origin') }),
    );
  });

  it('follows no redirect with a key: the 3xx is the answer, and the server it points to hears nothing', async () => {
    const elsewhere = await recorder(() => ({ status: 200 }));
    const first = await recorder(() => ({ status: 307, headers: { location: `${elsewhere.origin}/v1/messages` } }));
    // anthropic's key is a header of its own, which fetch would carry across origins
    const agent = agentSchema.parse({ model: 'anthropic:claude', baseURL: `${first.origin}/v1` });
    const failing = createModels({ env: { ANTHROPIC_API_KEY: KEY }, retryDelayMs: 1 }).call(request, { agent });
    await expect(failing).rejects.toMatchObject({ code: 'MODEL_UNAVAILABLE', details: { status: 307, attempts: 1 } });
    expect(first.seen.map((seen) => [seen.url, seen.headers['x-api-key']])).toEqual([['/v1/messages', KEY]]);
    expect(elsewhere.seen).toEqual([]);
  });

  it('takes the provider’s endpoint from *_BASE_URL of its environment, the user’s own setting', async () => {
    const own = await recorder(() => ({ status: 400 }));
    const agent = agentSchema.parse({ model: 'anthropic:claude' });
    await expect(
      createModels({ env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: `${own.origin}/proxy/v1` } }).call(request, {
        agent,
      }),
    ).rejects.toMatchObject({ details: { status: 400 } });
    expect(own.seen.map((seen) => [seen.url, seen.headers['x-api-key']])).toEqual([['/proxy/v1/messages', KEY]]);
    await expect(
      createModels({ env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: 'ftp://proxy' } }).call(request, { agent }),
    ).rejects.toMatchObject({
      code: 'VALIDATION_ERROR',
      message: expect.stringContaining('ANTHROPIC_BASE_URL: must be an http(s) URL'),
    });
  });

  it('lets a keyed request go to the origin it was checked for only', async () => {
    const other = await recorder(() => ({ status: 200 }));
    await expect(
      keyedFetch('https://api.openai.com')(`${other.origin}/v1/responses`, { method: 'POST' }),
    ).rejects.toMatchObject({
      code: 'MODEL_UNAVAILABLE',
      message: expect.stringContaining(`would leave troupe for ${other.origin}, not https://api.openai.com`),
    });
    await expect(keyedFetch(other.origin)(new Request(`${other.origin}/v1/x`))).resolves.toMatchObject({ status: 200 });
    expect(other.seen).toHaveLength(1);
  });
});
