import { findProjectRoot, loadProjectConfig, UNCONFINED_WARNING } from '../runtime/index.js';
import type { CommandContext } from './context.js';

/**
 * Say on stderr, once per command that drives plans, that their commands
 * run unconfined when the project opted out of the sandbox (SPEC §15):
 * every run says it, whichever process owns the store. A config that
 * cannot be read is the runtime's to report, not this warning's.
 *
 * @example
 * await warnIfUnconfined(context); // warning: commands run unconfined: …
 */
export async function warnIfUnconfined(context: CommandContext): Promise<void> {
  try {
    const config = await loadProjectConfig(await findProjectRoot(context.dir));
    if (config.sandbox.mode === 'off') context.out.note(`warning: ${UNCONFINED_WARNING}`);
  } catch {
    // no project, or a config the runtime refuses with its own error
  }
}
