import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';

// The HTTP of troupe's allow-list proxy (allow-list-proxy.ts): how it reads what a command
// sent and how it answers, on a parsed request or on a bare socket.

const HOP_BY_HOP = new Set([
  'connection',
  'proxy-connection',
  'keep-alive',
  'proxy-authorization',
  'proxy-authenticate',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);
const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  408: 'Request Timeout',
  429: 'Too Many Requests',
  502: 'Bad Gateway',
};

/**
 * The token of a `Proxy-Authorization: Basic base64(troupe:<token>)`
 * header (its password), or null.
 *
 * @example
 * tokenOf(`Basic ${Buffer.from('troupe:abc').toString('base64')}`); // 'abc'
 */
export function tokenOf(header: string | undefined): string | null {
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!basic) return null;
  const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? decoded : decoded.slice(colon + 1);
}

/** `host` without the brackets of an IPv6 literal (`[::1]` → `::1`). */
export function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * The end-to-end headers of a request or a response: hop-by-hop ones, those
 * its `Connection` names, and `Host` stay with the proxy.
 *
 * @example
 * forwarded({ 'proxy-connection': 'keep-alive', 'x-mine': 'kept' }); // { 'x-mine': 'kept' }
 */
export function forwarded(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const named = new Set(
    String(headers.connection ?? '')
      .toLowerCase()
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  const kept: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (!HOP_BY_HOP.has(name) && !named.has(name) && name !== 'host') kept[name] = value;
  return kept;
}

/** Answer a parsed request with `status` and a text body, and close its connection. */
export function answer(
  response: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    connection: 'close',
    ...headers,
  });
  response.end(body);
}

/**
 * Answer on a bare socket (a `CONNECT`'s, or one not yet parsed) with
 * `status` and a text body; `refused` fills `X-Troupe-Refused`, which says
 * the answer is troupe's. `now`: close at once, not once the answer is
 * flushed — a connection refused for a cap must not wait on a client that
 * does not read (the answer is small and on a loopback: it is sent).
 */
export function answerSocket(
  socket: Duplex,
  status: number,
  body: string,
  options: { refused?: string; now?: boolean } = {},
): void {
  const extra = options.refused === undefined ? '' : `X-Troupe-Refused: ${options.refused}\r\n`;
  if (!socket.writable) return void socket.destroy();
  const text = `HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}Connection: close\r\n\r\n${body}`;
  if (options.now) {
    socket.write(text);
    socket.destroy();
    return;
  }
  // closed once written: a client that never closes its side must not keep the descriptor
  socket.end(text, () => socket.destroy());
}
