import { createHash } from 'node:crypto';
import type { ConflictHunk } from '../domain/index.js';

/**
 * A one-line stand-in for binary content in a conflict hunk:
 * `binary, <n> bytes, blob <id>`, where the id is git's object id for the
 * bytes (what `git hash-object` prints), so a user can tell the versions
 * apart and find them with `git cat-file -p <id>`. Null for a missing side.
 *
 * @example
 * describeBinary(new Uint8Array([0])); // 'binary, 1 bytes, blob f76dd238ade08917e6712764a16a22005a50573d'
 */
export function describeBinary(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  const id = createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
  return `binary, ${bytes.length} bytes, blob ${id}`;
}

/**
 * The single hunk of a binary conflict: both sides changed a binary file
 * differently, so the whole file conflicts and each side is described, not
 * shown.
 */
export function binaryHunk(base: Uint8Array | null, ours: Uint8Array | null, theirs: Uint8Array | null): ConflictHunk {
  return { ours: describeBinary(ours), base: describeBinary(base), theirs: describeBinary(theirs) };
}
