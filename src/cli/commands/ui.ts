import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';
import { readDetails, readPlans } from '../ui/load.js';
import { treeRows } from '../ui/model.js';
import { formatUi } from '../ui/text.js';

/**
 * `troupe ui [<plan>]`: the live plan tree with the selected plan's details
 * (Ink, loaded only here). Without a terminal — or with `--json` — it prints
 * the same model once and exits; an unknown plan is NOT_FOUND before anything
 * is drawn.
 */
export async function ui(context: CommandContext, ref: string | undefined): Promise<number> {
  const runtime = await context.runtime();
  const root = ref === undefined ? null : await runtime.getPlan(ref);
  const rootIds = root ? [root.id] : undefined;
  if (!context.out.human || !context.interactive || !process.stdout.isTTY) {
    const rows = treeRows(await readPlans(runtime), rootIds ? { rootIds } : {});
    const first = root?.id ?? rows[0]?.id;
    const details = first === undefined ? null : await readDetails(runtime, first);
    context.out.result({ plans: rows, details }, () => formatUi(rows, details));
    return EXIT.ok;
  }
  // React and Ink only for the terminal view: the rest of the CLI never loads them (DESIGN §7)
  const [{ render }, { createElement }, { App }] = await Promise.all([import('ink'), import('react'), import('../ui/App.js')]);
  const instance = render(createElement(App, { runtime, ...(rootIds ? { rootIds } : {}) }), { exitOnCtrlC: true });
  const stop = () => instance.unmount();
  context.signal.addEventListener('abort', stop);
  try {
    await instance.waitUntilExit();
  } finally {
    context.signal.removeEventListener('abort', stop);
  }
  return EXIT.ok;
}
