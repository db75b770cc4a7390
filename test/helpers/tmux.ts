import { execFileSync } from 'node:child_process';

/**
 * Whether tmux is on this machine: it gives a test a real terminal (raw
 * mode, keys as a user types them, the screen as a user sees it). CI
 * installs it (.ci/run); elsewhere the tests that need it are skipped.
 */
export const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
