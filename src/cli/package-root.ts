import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The root of the troupe package (where package.json and examples/ are),
 * found by walking up from this file: it sits at a different depth in
 * src/ and in the built dist/src/.
 */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'troupe')
      return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the troupe package above ${from}`);
    dir = parent;
  }
}

/** The version in troupe's package.json. */
export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}
