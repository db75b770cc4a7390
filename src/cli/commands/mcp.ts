import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { ValidationError } from '../../domain/index.js';
import { DEFAULT_MCP_PORT, McpBackend, createMcpServer, serveMcpHttp } from '../../mcp/index.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { packageVersion } from '../package-root.js';

/** The flags of `troupe mcp`. */
export interface McpFlags {
  /** `--http` alone is `true`; with a port, the port as typed. */
  http?: boolean | string;
}

/**
 * `troupe mcp [--http [port]]`: serve the project's plans to MCP clients
 * (SPEC §16) — over stdio, the way agents launch local servers (stdout
 * carries only the protocol; anything else goes to stderr), or with
 * `--http` over Streamable HTTP on 127.0.0.1 with a bearer token (printed
 * on stderr; `TROUPE_MCP_TOKEN` sets it). It runs until the client closes
 * stdin (calls under way finish and are recorded first) or, with `--http`,
 * until Ctrl-C or SIGTERM.
 */
export async function mcp(
  context: CommandContext,
  flags: McpFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const port = httpPort(flags.http);
  const token = env['TROUPE_MCP_TOKEN'];
  if (token !== undefined && (token.length < 16 || /\s/.test(token))) {
    throw new ValidationError(
      [{ path: 'TROUPE_MCP_TOKEN', message: 'must be at least 16 characters, without spaces' }],
      { hint: 'unset it for a random token, or use e.g. openssl rand -hex 24' },
    );
  }
  const backend = new McpBackend(context);
  const info = { name: 'troupe', version: packageVersion() };
  const stopped = new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    context.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  try {
    if (port !== undefined) {
      const endpoint = await serveMcpHttp(() => createMcpServer(backend, info), {
        port,
        ...(token === undefined ? {} : { token }),
      });
      context.terminal.stderr.write(
        context.out.shown(
          `troupe mcp: serving ${context.dir} on ${endpoint.url}\ntroupe mcp: token ${endpoint.token} (send Authorization: Bearer <token>)\n`,
        ),
      );
      await stopped;
      await endpoint.close();
      return EXIT.ok;
    }
    const { stdin, stdout } = context.terminal;
    const server = createMcpServer(backend, info);
    const hungUp = new Promise<void>((resolve) => {
      stdin.once('end', resolve);
      stdin.once('close', resolve);
      server.onclose = ((closed) => () => {
        closed?.();
        resolve();
      })(server.onclose);
    });
    await server.connect(new StdioServerTransport(stdin, stdout));
    await Promise.race([hungUp, stopped]);
    // the client went away mid-call: the call still ends and is recorded (on SIGTERM the plan resumes instead)
    if (!context.signal.aborted) await Promise.race([backend.drain(), stopped]);
    await server.close().catch(() => {});
    return EXIT.ok;
  } finally {
    backend.close();
  }
}

// `--http` alone: the default port; commander hands a given one over as text
function httpPort(option: boolean | string | undefined): number | undefined {
  if (option === undefined || option === false) return undefined;
  if (option === true) return DEFAULT_MCP_PORT;
  if (/^\d{1,5}$/.test(option) && Number(option) <= 65_535) return Number(option);
  throw new ValidationError(
    [{ path: '--http', message: `must be a port number, 0 to 65535 (got ${JSON.stringify(option)})` }],
    {
      hint: `troupe mcp --http alone listens on ${DEFAULT_MCP_PORT}; --http 0 on any free port`,
    },
  );
}
