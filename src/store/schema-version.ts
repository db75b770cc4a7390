import { TroupeError } from '../domain/errors.js';
import { STORE_SCHEMA_VERSION } from './store.js';
import { SUBLEVELS, VERSION_KEY } from './key-layout.js';
import type { StoreMigrations } from './migrations.js';
import { writeOptions, type StoreDatabase } from './store-database.js';

/**
 * Check the schema version of an open database and bring it up to
 * {@link STORE_SCHEMA_VERSION}: an empty store gets the current version, an
 * older one runs its migrations one version at a time, a newer one is
 * refused with `STORE_VERSION`. `location` names the store in messages.
 */
export async function ensureSchemaVersion(
  db: StoreDatabase,
  migrations: StoreMigrations,
  location: string,
): Promise<void> {
  const meta = db.sublevel<string, number>(SUBLEVELS.meta, { valueEncoding: 'json' });
  const key = `${meta.prefix}${VERSION_KEY}`;
  const found = parseVersion(await meta.get(VERSION_KEY, { valueEncoding: 'utf8' }), location, key);
  if (found === null) {
    // data without a version was not written by troupe, or lost its meta
    // key; guessing a version could misread every record
    if ((await db.keys({ limit: 1 }).all()).length > 0) {
      throw new TroupeError('STORE_CORRUPT', `the store at ${location} has data but no schema version`, {
        hint: 'restore .troupe/db from a backup, or move it away to start an empty store',
        details: { key },
      });
    }
    await meta.put(VERSION_KEY, STORE_SCHEMA_VERSION, writeOptions(true));
    return;
  }
  if (found > STORE_SCHEMA_VERSION) {
    throw new TroupeError(
      'STORE_VERSION',
      `the store at ${location} has schema version ${found}; this troupe reads version ${STORE_SCHEMA_VERSION}`,
      {
        hint: 'a newer troupe wrote it; upgrade troupe (npm install -g troupe@latest) to open it',
        details: { found, supported: STORE_SCHEMA_VERSION },
      },
    );
  }
  for (let version = found; version < STORE_SCHEMA_VERSION; version++) {
    const migrate = migrations[version];
    if (!migrate) {
      throw new TroupeError(
        'STORE_VERSION',
        `the store at ${location} has schema version ${found}, and this troupe has no migration from version ${version}`,
        {
          hint: 'open it once with the troupe release that wrote it, or restore .troupe/db from a backup',
          details: { found, supported: STORE_SCHEMA_VERSION },
        },
      );
    }
    await migrate(db);
    // bumped after each step, so a crash leaves a version saying which step is next
    await meta.put(VERSION_KEY, version + 1, writeOptions(true));
  }
}

function parseVersion(text: string | undefined, location: string, key: string): number | null {
  if (text === undefined) return null;
  let version: unknown;
  try {
    version = JSON.parse(text);
  } catch {
    version = undefined;
  }
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 0) {
    throw new TroupeError(
      'STORE_CORRUPT',
      `the store at ${location} has an unreadable schema version ${JSON.stringify(text)}`,
      {
        hint: 'restore .troupe/db from a backup, or report it if troupe wrote it',
        details: { key },
      },
    );
  }
  return version;
}
