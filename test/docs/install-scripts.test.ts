import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// README: "Dependencies … need no install scripts", and package.json's
// allowScripts says so for each one that has a script, so npm neither runs
// nor warns about them. A new dependency with an install script fails here
// until someone decides about it.

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  allowScripts?: Record<string, boolean>;
  scripts: Record<string, string>;
};
const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { hasInstallScript?: boolean }>;
};

describe('install scripts', () => {
  it('every dependency that has one is denied in allowScripts, and no entry is left over', () => {
    const scripted = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
    expect([...new Set(scripted)].sort()).toEqual(Object.keys(pkg.allowScripts ?? {}).sort());
    expect(Object.values(pkg.allowScripts ?? {}).every((allowed) => allowed === false)).toBe(true);
  });

  it('troupe builds at npm install, and npm link of the clone warns of no install script (issue 74)', () => {
    // npm lists preinstall, install, postinstall and prepare of a linked folder as install scripts to review
    expect(
      Object.keys(pkg.scripts).filter((name) => ['preinstall', 'install', 'postinstall', 'prepare'].includes(name)),
    ).toEqual([]);
    expect(pkg.scripts.postprepare).toBe('npm run build');
    const prefix = mkdtempSync(join(tmpdir(), 'troupe-link-'));
    try {
      const linked = spawnSync('npm', ['link', '--no-audit', '--no-fund'], {
        cwd: root,
        env: { ...process.env, npm_config_prefix: prefix },
        encoding: 'utf8',
      });
      expect(linked.status, linked.stderr).toBe(0);
      expect(`${linked.stdout}${linked.stderr}`).not.toMatch(/install.?scripts|allow.?scripts/i);
      expect(existsSync(join(prefix, 'bin', 'troupe'))).toBe(true);
    } finally {
      rmSync(prefix, { recursive: true, force: true });
    }
  });
});
