import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * One answer of the fake server: the model's text and tool calls (input as
 * an object, or as raw text for a malformed call), or an HTTP error
 * (`status`, with `retryAfter` seconds when given).
 */
export type FakeTurn =
  | {
      text?: string;
      calls?: { name: string; input: unknown; id?: string }[];
      inputTokens?: number;
      outputTokens?: number;
    }
  | { status: number; retryAfter?: string; message?: string };

/** A request the fake server got: its body and headers. */
export interface FakeRequest {
  body: {
    model: string;
    stream?: boolean;
    messages: { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: string }[];
    tools?: { function: { name: string } }[];
  };
  headers: IncomingHttpHeaders;
}

/**
 * An OpenAI-compatible chat completions server on 127.0.0.1 that answers
 * each request with the next scripted turn — as one JSON document, or as
 * server-sent events when the request says `stream: true` (text in two
 * pieces, tool call arguments in two pieces, usage last, `[DONE]`) — and
 * keeps every request. A function turn sees the request first. Reached
 * through the real `@ai-sdk/openai-compatible` provider, with no network.
 *
 * @example
 * const fake = await startFakeOpenAI([{ text: 'hi' }]);
 * // agent: { model: 'openai-compatible:fake', baseURL: fake.url }
 * await fake.close();
 */
export async function startFakeOpenAI(
  turns: (FakeTurn | ((request: FakeRequest) => FakeTurn | Promise<FakeTurn>))[],
): Promise<{ url: string; requests: FakeRequest[]; close(): Promise<void> }> {
  const requests: FakeRequest[] = [];
  let next = 0;
  const server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      void (async () => {
        if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
          response
            .writeHead(404, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: { message: `no route ${request.method} ${request.url}` } }));
          return;
        }
        const received: FakeRequest = { body: JSON.parse(text) as FakeRequest['body'], headers: request.headers };
        requests.push(received);
        const scripted = turns[next++];
        const turn =
          typeof scripted === 'function'
            ? await scripted(received)
            : (scripted ?? { status: 500, message: `no turn ${next} scripted` });
        if ('status' in turn) {
          response.writeHead(turn.status, {
            'content-type': 'application/json',
            ...(turn.retryAfter === undefined ? {} : { 'retry-after': turn.retryAfter }),
          });
          response.end(
            JSON.stringify({ error: { message: turn.message ?? `fake status ${turn.status}`, type: 'fake_error' } }),
          );
          return;
        }
        const calls = (turn.calls ?? []).map((call, index) => ({
          id: call.id ?? `call_${next}_${index + 1}`,
          name: call.name,
          arguments: typeof call.input === 'string' ? call.input : JSON.stringify(call.input),
        }));
        const usage = {
          prompt_tokens: turn.inputTokens ?? 50,
          completion_tokens: turn.outputTokens ?? 10,
          total_tokens: (turn.inputTokens ?? 50) + (turn.outputTokens ?? 10),
        };
        const finish = calls.length > 0 ? 'tool_calls' : 'stop';
        if (received.body.stream) {
          response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
          const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
          const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
            send({
              id: `chatcmpl-${next}`,
              object: 'chat.completion.chunk',
              created: 1,
              model: received.body.model,
              choices: [{ index: 0, delta, finish_reason: finishReason }],
            });
          chunk({ role: 'assistant', content: '' });
          const content = turn.text ?? '';
          if (content) {
            const half = Math.ceil(content.length / 2);
            chunk({ content: content.slice(0, half) });
            chunk({ content: content.slice(half) });
          }
          calls.forEach((call, index) => {
            const half = Math.ceil(call.arguments.length / 2);
            chunk({
              tool_calls: [
                {
                  index,
                  id: call.id,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments.slice(0, half) },
                },
              ],
            });
            chunk({ tool_calls: [{ index, function: { arguments: call.arguments.slice(half) } }] });
          });
          chunk({}, finish);
          send({
            id: `chatcmpl-${next}`,
            object: 'chat.completion.chunk',
            created: 1,
            model: received.body.model,
            choices: [],
            usage,
          });
          response.end('data: [DONE]\n\n');
          return;
        }
        const message = {
          role: 'assistant',
          content: turn.text ?? null,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((call) => ({
                  id: call.id,
                  type: 'function',
                  function: { name: call.name, arguments: call.arguments },
                })),
              }
            : {}),
        };
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            id: `chatcmpl-${next}`,
            object: 'chat.completion',
            created: 1,
            model: received.body.model,
            choices: [{ index: 0, message, finish_reason: finish }],
            usage,
          }),
        );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
