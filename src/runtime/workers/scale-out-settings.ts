import { TroupeError, ValidationError } from '../../domain/index.js';
import { redactedUrl } from '../../sandbox/remote-branches.js';
import type { ProjectConfig } from '../project/index.js';
import type { QueueSettings } from './plan-queue.js';
import { storeChoice, type StoreChoice } from '../../store/store-choice.js';

/** The environment variable naming the queue's Redis; it wins over `queue.url` in `.troupe/config.json`. */
export const REDIS_URL_ENV = 'TROUPE_REDIS_URL';
/** The environment variable naming the shared git remote; it wins over `remote.url`. */
export const REMOTE_URL_ENV = 'TROUPE_REMOTE_URL';

/** The queue and the shared remote a project names (docs/how-to/scale-out.md), each with where it came from; null when not named. */
export interface ScaleOutSettings {
  queue: QueueSettings | null;
  remote: { url: string; setting: string } | null;
}

/** Everything a worker (or `plan run --remote`) needs, checked. */
export interface WorkerSettings {
  queue: QueueSettings;
  remote: { url: string; setting: string };
  store: Extract<StoreChoice, { kind: 'postgres' }>;
}

/**
 * The queue and remote the project's config and the environment name:
 * `TROUPE_REDIS_URL` / `TROUPE_REMOTE_URL` when set, else `queue` /
 * `remote` in `.troupe/config.json`. Nothing is checked or contacted here.
 *
 * @example
 * const { queue, remote } = scaleOutSettings(await loadProjectConfig(root));
 * if (queue && remote) console.log(`children go to ${queue.name}`);
 */
export function scaleOutSettings(
  config: Pick<ProjectConfig, 'queue' | 'remote'>,
  env: NodeJS.ProcessEnv = process.env,
): ScaleOutSettings {
  const name = config.queue?.name ?? 'troupe';
  const redis = env[REDIS_URL_ENV];
  const remote = env[REMOTE_URL_ENV];
  return {
    queue: redis
      ? { url: redis, name, setting: REDIS_URL_ENV }
      : config.queue
        ? { url: config.queue.url, name, setting: 'queue.url in .troupe/config.json' }
        : null,
    remote: remote
      ? { url: remote, setting: REMOTE_URL_ENV }
      : config.remote
        ? { url: config.remote.url, setting: 'remote.url in .troupe/config.json' }
        : null,
  };
}

// a bad setting, named once: the variable itself, or the field and the file it is in
function settingError(path: string, message: string, setting: string): ValidationError {
  const fromFile = path !== setting;
  return new ValidationError([{ path, message }], {
    ...(fromFile ? { subject: '.troupe/config.json' } : {}),
    hint: `fix ${setting}`,
  });
}

/**
 * What a worker checks before it takes any job: a PostgreSQL store (workers
 * share state there), a queue URL that is a Redis URL, a remote URL that is
 * safe to hand to git. Each problem is a coded error naming the setting and
 * the fix; nothing is contacted (see {@link checkReachable}).
 */
export function workerSettings(
  config: Pick<ProjectConfig, 'queue' | 'remote' | 'store'>,
  env: NodeJS.ProcessEnv = process.env,
): WorkerSettings {
  const store = storeChoice(config, env);
  if (store.kind !== 'postgres') {
    throw new ValidationError(
      [
        {
          path: 'store',
          message:
            'workers share their plans through PostgreSQL; this project keeps them in LevelDB (.troupe/db), which only this machine can open',
        },
      ],
      {
        subject: '.troupe/config.json',
        hint: 'set "store": {"kind": "postgres", "url": "postgres://…"} (or TROUPE_DATABASE_URL) on every machine — see docs/how-to/scale-out.md',
      },
    );
  }
  const { queue, remote } = scaleOutSettings(config, env);
  if (!queue) {
    throw new ValidationError(
      [{ path: 'queue.url', message: 'is not set: workers take child plans from a BullMQ queue on Redis' }],
      {
        subject: '.troupe/config.json',
        hint: `set "queue": {"url": "redis://host:6379"} or ${REDIS_URL_ENV} — see docs/how-to/scale-out.md`,
      },
    );
  }
  const redisProblem = redisUrlProblem(queue.url);
  if (redisProblem)
    throw settingError(queue.setting === REDIS_URL_ENV ? REDIS_URL_ENV : 'queue.url', redisProblem, queue.setting);
  if (!remote) {
    throw new ValidationError(
      [
        {
          path: 'remote.url',
          message: 'is not set: each worker clones a shared git remote, and children’s branches travel through it',
        },
      ],
      {
        subject: '.troupe/config.json',
        hint: `set "remote": {"url": "<a bare repository every machine can reach>"} or ${REMOTE_URL_ENV} — see docs/how-to/scale-out.md`,
      },
    );
  }
  const remoteProblem = remoteUrlProblem(remote.url);
  if (remoteProblem)
    throw settingError(
      remote.setting === REMOTE_URL_ENV ? REMOTE_URL_ENV : 'remote.url',
      remoteProblem,
      remote.setting,
    );
  return { queue, remote, store };
}

/**
 * Make sure the queue answers and the remote can be read, before any job is
 * taken or enqueued: `QUEUE_UNAVAILABLE` / `REMOTE_UNAVAILABLE` naming the
 * setting, the address (never a password) and the fix.
 */
export async function checkReachable(
  settings: Pick<WorkerSettings, 'queue' | 'remote'>,
  repoRoot: string,
): Promise<void> {
  const [{ PlanQueue }, { RemoteBranches }] = await Promise.all([
    import('./plan-queue.js'),
    import('../../sandbox/remote-branches.js'),
  ]);
  const queue = new PlanQueue(settings.queue);
  try {
    await queue.ping();
  } finally {
    await queue.close();
  }
  const remote = new RemoteBranches(settings.remote.url, settings.remote.setting);
  if (!(await remote.reachable(repoRoot))) {
    throw new TroupeError(
      'REMOTE_UNAVAILABLE',
      `the shared remote ${redactedUrl(settings.remote.url)} cannot be read (${settings.remote.setting})`,
      {
        details: { setting: settings.remote.setting },
        hint: `check that it exists and this machine may fetch from it (git ls-remote ${redactedUrl(settings.remote.url)}), or fix ${settings.remote.setting}`,
      },
    );
  }
}

/** Why a queue URL is not one (null when it is a redis:// or rediss:// URL). */
export function redisUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be a redis:// URL such as redis://127.0.0.1:6379/0, got something that is not a URL';
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    return `must be a redis:// or rediss:// URL, got a ${parsed.protocol} URL`;
  if (parsed.hostname === '') return 'names no host';
  return null;
}

/**
 * Why a remote URL must not reach git (null when it may): an option in
 * disguise (`-…`), a transport that runs a program (`ext::`, `fd::`), or a
 * line break.
 */
export function remoteUrlProblem(url: string): string | null {
  if (url.trim() === '') return 'must not be empty';
  if (url.startsWith('-')) return 'must not start with "-" (git would read it as an option)';
  if (/[\r\n\0]/.test(url)) return 'must not hold a line break';
  if (/^(ext|fd)::/i.test(url))
    return 'must not use git’s ext:: or fd:: transports (they run programs); use a path, file://, ssh:// or https://';
  return null;
}
