import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Store, StoreOptions } from './index.js';

/** The environment variable naming a PostgreSQL store; it wins over `.troupe/config.json`. */
export const DATABASE_URL_ENV = 'TROUPE_DATABASE_URL';

/**
 * The `store` setting of `.troupe/config.json` as parsed. Declared here, not
 * taken from the config's schema: openRuntime asks usesPostgres before that
 * schema (and zod) is loaded.
 */
export type StoreSetting =
  { kind: 'level' } | { kind: 'postgres'; url: string; schema: string; outageTimeoutMs?: number | undefined };

/** Which store a project uses, and where its URL came from (for messages). */
export type StoreChoice = { kind: 'level' } | { kind: 'postgres'; url: string; schema: string; setting: string };

/**
 * The store the project's config and the environment choose:
 * `TROUPE_DATABASE_URL` when set (a machine points at its database without
 * editing the project), else `"store"` in `.troupe/config.json`, else LevelDB.
 *
 * @example
 * const choice = storeChoice(await loadProjectConfig(root), process.env);
 * if (choice.kind === 'postgres') console.log(`plans are kept in ${choice.setting}`);
 */
export function storeChoice(config: { store: StoreSetting }, env: NodeJS.ProcessEnv = process.env): StoreChoice {
  const fromEnv = env[DATABASE_URL_ENV];
  const schema = config.store.kind === 'postgres' ? config.store.schema : 'troupe';
  if (fromEnv !== undefined && fromEnv !== '')
    return { kind: 'postgres', url: fromEnv, schema, setting: DATABASE_URL_ENV };
  if (config.store.kind === 'postgres')
    return { kind: 'postgres', url: config.store.url, schema, setting: 'store.url in .troupe/config.json' };
  return { kind: 'level' };
}

/**
 * Whether the project keeps its plans in PostgreSQL, read without the
 * config's schema (a command's start stays cheap): the environment
 * variable, or a config whose `store.kind` is `postgres`. A config that does
 * not parse counts as no: the full check reports it where it is loaded.
 */
export async function usesPostgres(projectRoot: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (env[DATABASE_URL_ENV]) return true;
  const text = await readFile(join(projectRoot, '.troupe', 'config.json'), 'utf8').catch(() => '');
  if (!text.includes('postgres')) return false;
  try {
    const data = JSON.parse(text) as { store?: { kind?: unknown } } | null;
    return data?.store?.kind === 'postgres';
  } catch {
    return false;
  }
}

/**
 * A PostgreSQL store for a choice (not yet open); `pg` is imported here,
 * only by a project that chose it.
 */
export async function postgresStore(
  choice: Extract<StoreChoice, { kind: 'postgres' }>,
  options: StoreOptions = {},
): Promise<Store> {
  const { PostgresStore } = await import('./postgres-store.js');
  return new PostgresStore({ ...options, url: choice.url, schema: choice.schema, setting: choice.setting });
}
