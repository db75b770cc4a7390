import { EXIT } from '../exit-codes.js';
import type { Runtime } from '../../runtime/index.js';
import type { CommandContext } from '../context.js';
import { readDetails, readLive, readPlans } from '../ui/load.js';
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
  if (!context.out.human || !context.interactive || !context.terminal.stdout.isTTY) {
    const records = await readPlans(runtime);
    const rows = treeRows(records, { ...(rootIds ? { rootIds } : {}), live: await readLive(runtime, records) });
    const first = root?.id ?? rows[0]?.id;
    const details = first === undefined ? null : await readDetails(runtime, first);
    context.out.result({ plans: rows, details }, () => formatUi(rows, details));
    return EXIT.ok;
  }
  // React and Ink only for the terminal view: the rest of the CLI never loads them (DESIGN §7)
  const [{ render }, { createElement }, { App }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../ui/App.js'),
  ]);
  const view = (current: Runtime) => createElement(App, { runtime: current, ...(rootIds ? { rootIds } : {}) });
  const { stdin, stdout, stderr } = context.terminal;
  const instance = render(view(runtime), { exitOnCtrlC: true, stdin, stdout, stderr });
  const stop = () => instance.unmount();
  context.signal.addEventListener('abort', stop);
  let ended = false;
  const exited = instance.waitUntilExit().finally(() => (ended = true));
  // the process that ran the plans ended (its `plan run` finished): carry on with
  // the next owner of the store, or as the owner, like `plan watch` does
  const reconnecting = (async () => {
    while (!ended) {
      const outcome = await Promise.race([
        context.lost().then(() => 'lost' as const),
        exited.then(
          () => 'exited' as const,
          () => 'exited' as const,
        ),
      ]);
      if (outcome === 'exited' || ended) return;
      const next = await context.reopen();
      if (!ended) instance.rerender(view(next));
    }
  })();
  try {
    await exited;
  } finally {
    context.signal.removeEventListener('abort', stop);
    await reconnecting.catch(() => {});
  }
  return EXIT.ok;
}
