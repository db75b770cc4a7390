import { DEPENDENCY_FOLDERS, findDependencyFolders, findGeneratedFiles } from '../sandbox/index.js';
import type { DoctorCheck } from './doctor-check.js';
import type { ProjectConfig } from './project/index.js';

/**
 * `troupe doctor`'s dependencies line: the dependency folders installed at
 * the project's root (`node_modules`, `.venv`, …) and whether plans'
 * commands see them (`sandbox.share`). One the config does not share is a
 * warning with the exact edit, not a failure: a plan may need none of it.
 * Reads only — doctor sets nothing up.
 *
 * @example
 * const check = await dependenciesCheck(root, config);
 * if (check.warning) console.log(check.detail, check.fix);
 */
export async function dependenciesCheck(root: string | null, config: ProjectConfig | null): Promise<DoctorCheck> {
  const name = 'dependencies';
  if (root === null) return { name, ok: true, detail: 'not in a git repository: nothing to share' };
  if (config === null) return { name, ok: true, detail: 'not checked: .troupe/config.json does not read' };
  // unconfined commands run in a worktree inside the project: node and python find the root's folders on their own
  if (config.sandbox.mode === 'off')
    return { name, ok: true, detail: 'not needed: commands run unconfined ("sandbox": {"mode": "off"})' };
  const listed = config.sandbox.share;
  const found = await findDependencyFolders(root);
  const unshared = found.filter((folder) => !listed.some((entry) => covers(entry, folder)));
  if (unshared.length === 0) {
    const shared =
      found.length > 0
        ? `shared read-only with plans: ${found.join(', ')}`
        : `none installed at the project root (looked for ${DEPENDENCY_FOLDERS.map((folder) => folder.path).join(', ')})`;
    return { name, ok: true, detail: shared };
  }
  const share = JSON.stringify({ sandbox: { share: [...listed, ...unshared] } });
  return {
    name,
    ok: true,
    warning: true,
    detail: `${unshared.join(', ')} ${unshared.length === 1 ? 'is' : 'are'} installed at the project root but not shared with plans: their commands will not find ${unshared.length === 1 ? 'its' : 'their'} packages`,
    fix: `run troupe init, or set ${share} in .troupe/config.json (docs/explanation/sandbox.md#shared-dependencies)`,
  };
}

/**
 * `troupe doctor`'s generated-files line, shown only when there is
 * something to say: files git ignores in the project's source folders that
 * its installed environment needs (`findGeneratedFiles`: a `_version.py`
 * written at install) and `sandbox.share` does not list — a plan's worktree
 * lacks them, so the project's own code fails to import there. A warning
 * with the edit, as for dependency folders. Reads only.
 *
 * @example
 * for (const check of await generatedFilesCheck(root, config)) console.log(check.detail, check.fix);
 */
export async function generatedFilesCheck(root: string | null, config: ProjectConfig | null): Promise<DoctorCheck[]> {
  if (root === null || config === null || config.sandbox.mode === 'off') return [];
  const listed = config.sandbox.share;
  const found = await findGeneratedFiles(root);
  const unshared = found.filter((file) => !listed.some((entry) => covers(entry, file)));
  if (unshared.length === 0)
    return found.length > 0
      ? [{ name: 'generated files', ok: true, detail: `shared read-only with plans: ${found.join(', ')}` }]
      : [];
  const one = unshared.length === 1;
  return [
    {
      name: 'generated files',
      ok: true,
      warning: true,
      detail: `${unshared.join(', ')} ${one ? 'is' : 'are'} ignored by git, so plans' worktrees lack ${one ? 'it' : 'them'}, and your installed environment needs ${one ? 'it' : 'them'}: the project's own imports fail in a plan`,
      fix: `run troupe init, or set ${JSON.stringify({ sandbox: { share: [...listed, ...unshared] } })} in .troupe/config.json (docs/explanation/sandbox.md#generated-files)`,
    },
  ];
}

// whether sharing `entry` shares `folder` too (vendor covers vendor/bundle)
function covers(entry: string, folder: string): boolean {
  const normal = entry
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
    .join('/');
  return normal === folder || folder.startsWith(`${normal}/`);
}
