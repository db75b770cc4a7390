// Bytes in, text out: the engine works on bytes, the tests read text.
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export function bytes(text: string): Uint8Array;
export function bytes(text: string | null): Uint8Array | null;
export function bytes(text: string | null): Uint8Array | null {
  return text === null ? null : encoder.encode(text);
}

export function text(content: Uint8Array | null): string | null {
  return content === null ? null : decoder.decode(content);
}
