// Telling text from binary and JSON from other text, the way git does for
// the binary part: a NUL byte early in the file, or bytes that are not UTF-8.

// git's buffer_is_binary looks for a NUL in the first 8000 bytes (xdiff-interface.c)
const FIRST_FEW_BYTES = 8000;

// fatal: invalid UTF-8 is binary, not replacement characters; ignoreBOM: a
// byte-order mark is content and survives the merge
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/**
 * The text of a file's bytes, or null when the bytes are binary: a NUL byte
 * in the first 8,000 bytes (as git decides), or not valid UTF-8.
 *
 * @example
 * decodeText(new Uint8Array([0x68, 0x69])); // 'hi'
 * decodeText(new Uint8Array([0x00, 0x01])); // null
 */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.subarray(0, FIRST_FEW_BYTES).includes(0)) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

/** The UTF-8 bytes of merged text; exact inverse of {@link decodeText} on what it accepts. */
export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * Whether a path gets the structural JSON merge: its name ends in `.json`,
 * in any case.
 *
 * @example
 * isJsonPath('config/Settings.JSON'); // true
 */
export function isJsonPath(path: string): boolean {
  return /\.json$/i.test(path);
}
