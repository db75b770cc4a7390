import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { TroupeError } from '../domain/index.js';

/** The port `troupe mcp --http` listens on when none is given. */
export const DEFAULT_MCP_PORT = 7465;

// a write_file of 16 MiB, JSON-escaped, fits
const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** What `troupe mcp --http` serves on. */
export interface McpHttpOptions {
  /** 0 picks a free port. */
  port: number;
  /** The bearer token clients must send; a random one when absent. */
  token?: string;
}

/** A running Streamable HTTP endpoint. */
export interface McpHttpEndpoint {
  /** `http://127.0.0.1:<port>/mcp` */
  url: string;
  token: string;
  close(): Promise<void>;
}

/**
 * Serve MCP over Streamable HTTP on 127.0.0.1 only (SPEC §16), one SDK
 * `Server` per session from `newServer`. Every request must carry the
 * bearer token — `Authorization: Bearer <token>`, or `?token=` for
 * clients that cannot set headers — and a Host (and Origin, when sent)
 * naming this loopback address, so a web page cannot reach it through DNS
 * rebinding. Refusals are 401, 403 or 404 with a JSON-RPC error body.
 *
 * @example
 * const endpoint = await serveMcpHttp(() => createMcpServer(backend, info), { port: 0 });
 * console.error(`${endpoint.url} token ${endpoint.token}`);
 */
export async function serveMcpHttp(newServer: () => Server, options: McpHttpOptions): Promise<McpHttpEndpoint> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const expected = digest(token);
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  let port = options.port;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const local = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`];
    const origin = req.headers.origin;
    if (
      !local.includes(req.headers.host ?? '') ||
      (origin !== undefined && !local.some((host) => origin === `http://${host}`))
    ) {
      return refuse(res, 403, 'Forbidden: troupe mcp answers only requests to its loopback address (Host and Origin)');
    }
    const given = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? url.searchParams.get('token');
    if (given === null || !timingSafeEqual(digest(given), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="troupe mcp"');
      return refuse(
        res,
        401,
        'Unauthorized: send the token troupe mcp printed at start (Authorization: Bearer <token>)',
      );
    }
    if (url.pathname !== '/mcp') return refuse(res, 404, 'Not found: the MCP endpoint is /mcp');

    const sessionId = req.headers['mcp-session-id'];
    if (typeof sessionId === 'string') {
      const transport = sessions.get(sessionId);
      if (!transport) return refuse(res, 404, 'Session not found: initialize a new session');
      const body = req.method === 'POST' ? await readBody(req, res) : undefined;
      if (body === NO_BODY) return;
      return transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST')
      return refuse(res, 400, 'Bad request: no mcp-session-id; POST an initialize request first');
    const body = await readBody(req, res);
    if (body === NO_BODY) return;
    if (!isInitializeRequest(body))
      return refuse(res, 400, 'Bad request: no mcp-session-id; POST an initialize request first');
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void sessions.set(id, transport),
      onsessionclosed: (id) => void sessions.delete(id),
    });
    const server = newServer();
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
      void server.close().catch(() => {});
    };
    await server.connect(transport);
    return transport.handleRequest(req, res, body);
  };

  const http = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) refuse(res, 500, 'Internal error');
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'EADDRINUSE'
          ? new TroupeError('VALIDATION_ERROR', `--http: port ${options.port} on 127.0.0.1 is in use`, {
              hint: 'give another port (troupe mcp --http 7466), or 0 for any free one',
            })
          : error,
      ),
    );
    http.listen(options.port, '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    token,
    close: async () => {
      await Promise.all([...sessions.values()].map((transport) => transport.close().catch(() => {})));
      sessions.clear();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

const NO_BODY = Symbol('no body');

// the JSON body, or NO_BODY once a refusal was sent
async function readBody(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      refuse(res, 413, `Payload too large: at most ${MAX_BODY_BYTES / 1024 / 1024} MiB`);
      return NO_BODY;
    }
    chunks.push(chunk);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    refuse(res, 400, 'Parse error: the body is not JSON', -32700);
    return NO_BODY;
  }
}

function refuse(res: ServerResponse, status: number, message: string, code = -32000): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
