import { homedir } from 'node:os';
import { join } from 'node:path';
import { BubblewrapSandbox } from './bubblewrap-sandbox.js';
import type { CommandSandbox } from './command-sandbox.js';
import { UnconfinedSandbox } from './unconfined-sandbox.js';

/** The `sandbox` settings of `.troupe/config.json` a command sandbox is made from (validated already). */
export interface CommandSandboxSettings {
  /** `contained` (the default): bubblewrap; `off`: commands run unconfined. */
  mode: 'contained' | 'off';
  /** The project whose working tree and `.troupe/` are hidden. */
  projectRoot: string;
  /** Absolute path of `bwrap`; default: `bwrap` on PATH. */
  bwrap?: string | undefined;
  /** Paths to hide besides the secret places of `$HOME`: absolute, or `~/…`. */
  hide?: readonly string[] | undefined;
  /** Untracked paths of the project bound read-only into every worktree (`node_modules`). */
  share?: readonly string[] | undefined;
  /** Default: the user's home directory. */
  home?: string | undefined;
}

/**
 * The {@link CommandSandbox} a project's settings ask for: bubblewrap, or —
 * with `"sandbox": {"mode": "off"}` — the unconfined one.
 *
 * @example
 * const sandbox = createCommandSandbox({ mode: 'contained', projectRoot: '/path/to/repo', share: ['node_modules'], hide: ['~/work/secrets'] });
 */
export function createCommandSandbox(settings: CommandSandboxSettings): CommandSandbox {
  if (settings.mode === 'off') return new UnconfinedSandbox();
  const home = settings.home ?? homedir();
  return new BubblewrapSandbox({
    projectRoot: settings.projectRoot,
    bwrap: settings.bwrap,
    home,
    // `~/x` is the user's home, as a shell would read it
    hide: (settings.hide ?? []).map((path) =>
      path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path,
    ),
    share: settings.share ?? [],
  });
}
