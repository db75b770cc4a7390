import { ValidationError, WORKER_NAME_PATTERN } from '../../domain/index.js';
import { findSettingsRoot } from '../../runtime/index.js';
import type { CommandContext } from '../context.js';
import { EXIT } from '../exit-codes.js';

/** The flags of `troupe worker`. */
export interface WorkerFlags {
  /** How many child plans this process runs at once, as typed. */
  concurrency?: string;
  /** The worker's name in plan status and logs, as typed (default `<host>-<pid>`). */
  name?: string;
}

/**
 * `troupe worker [--concurrency N] [--name NAME]`: take child plans from the project's
 * queue and run them in this machine's clone of the shared remote
 * (docs/how-to/scale-out.md) until Ctrl-C or SIGTERM. Every setting is checked —
 * a PostgreSQL store, a queue that answers, a remote that can be read —
 * before any job is taken; a missing or unreachable one is a coded error
 * naming the setting and the fix. So is a machine that cannot run a plan:
 * the worker's start check runs one here first.
 */
export async function worker(
  context: CommandContext,
  flags: WorkerFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const concurrency = concurrencyOf(flags.concurrency);
  const name = workerNameOf(flags.name);
  // a worker runs plans in its clone: its own directory needs only .troupe/config.json
  const root = await findSettingsRoot(context.dir);
  const [{ loadProjectConfig }, { postgresStore }, { workerSettings, checkReachable }, { startWorker }] =
    await Promise.all([
      import('../../runtime/project/index.js'),
      import('../../runtime/index.js'),
      import('../../runtime/workers/index.js'),
      import('../../runtime/plan-worker.js'),
    ]);
  const config = await loadProjectConfig(root);
  const settings = workerSettings(config, env);
  await checkReachable(settings, root);
  // a line may carry a job's error message, a command's words: shown escaped
  const log = (line: string) => context.terminal.stderr.write(context.out.shown(`troupe worker: ${line}\n`));
  const running = await startWorker({
    root,
    queue: settings.queue,
    remote: settings.remote,
    store: await postgresStore(settings.store),
    concurrency,
    ...(name === undefined ? {} : { name }),
    log,
    runtime: {
      warn: (message) => log(`warning: ${message}`),
      // a report with no error (a plan another process took over) is its message alone
      report: (message, error) =>
        log(
          error === null || error === undefined ? message : `${message}: ${(error as Error)?.message ?? String(error)}`,
        ),
    },
  });
  await new Promise<void>((resolve) => {
    if (context.signal.aborted) resolve();
    context.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  log('stopping: the jobs running here go back to the queue');
  await running.close();
  return EXIT.ok;
}

function concurrencyOf(option: string | undefined): number {
  if (option === undefined) return 1;
  if (/^\d{1,3}$/.test(option) && Number(option) >= 1 && Number(option) <= 256) return Number(option);
  throw new ValidationError(
    [{ path: '--concurrency', message: `must be a whole number from 1 to 256 (got ${JSON.stringify(option)})` }],
    {
      hint: 'troupe worker --concurrency 4 runs four child plans at once',
    },
  );
}

/** The name `--name` gives a worker, checked before anything starts: it is shown in plan status and log lines. */
export function workerNameOf(option: string | undefined): string | undefined {
  if (option === undefined) return undefined;
  if (WORKER_NAME_PATTERN.test(option)) return option;
  throw new ValidationError(
    [
      {
        path: '--name',
        message: `must be 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit (got ${JSON.stringify(option)})`,
      },
    ],
    {
      hint: 'troupe worker --name w1 names this worker w1 in plan status and its log lines',
    },
  );
}
