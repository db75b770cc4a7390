import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

// README: "Dependencies … need no install scripts", and package.json's
// allowScripts says so for each one that has a script, so npm neither runs
// nor warns about them. A new dependency with an install script fails here
// until someone decides about it.

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

describe('install scripts', () => {
  it('every dependency that has one is denied in allowScripts, and no entry is left over', () => {
    const scripted = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect([...new Set(scripted)].sort()).toEqual(Object.keys(pkg.allowScripts ?? {}).sort());
    expect(Object.values(pkg.allowScripts ?? {}).every((allowed) => allowed === false)).toBe(true);
  });
});
