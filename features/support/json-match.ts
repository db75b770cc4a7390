import { AssertionError } from 'node:assert';

/**
 * Assert that `actual` contains `expected`: objects by the keys `expected`
 * names (other keys may exist), arrays element by element with the same
 * length, everything else strictly equal.
 */
export function assertIncludes(actual: unknown, expected: unknown, path = '$'): void {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      fail(path, `a list of ${expected.length}`, actual);
    }
    expected.forEach((item, index) => assertIncludes((actual as unknown[])[index], item, `${path}[${index}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) fail(path, 'an object', actual);
    for (const [key, value] of Object.entries(expected))
      assertIncludes((actual as Record<string, unknown>)[key], value, `${path}.${key}`);
    return;
  }
  if (actual !== expected) fail(path, JSON.stringify(expected), actual);
}

function fail(path: string, wanted: string, actual: unknown): never {
  throw new AssertionError({ message: `${path}: expected ${wanted}, got ${JSON.stringify(actual)}` });
}

/** Parse stdout as exactly one JSON document, or fail saying what it was. */
export function parseDocument(stdout: string): unknown {
  try {
    return JSON.parse(stdout);
  } catch (error) {
    throw new AssertionError({ message: `stdout is not one JSON document (${(error as Error).message}):\n${stdout}` });
  }
}

/** Parse stdout as NDJSON: one JSON value per non-empty line. */
export function parseLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new AssertionError({ message: `line ${index + 1} of stdout is not JSON: ${line}` });
      }
    });
}
