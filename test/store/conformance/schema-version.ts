import { describe, expect, it, vi } from 'vitest';
import { STORE_SCHEMA_VERSION, type LevelBackedStore } from '../../../src/store/index.js';
import { planCreation } from '../fixtures.js';
import { rejection, type Conformance } from './store-fixture.js';

async function rawValue(store: LevelBackedStore, key: string): Promise<string | undefined> {
  return store.db.get(key);
}

/** The schema version: written into a new store, migrated from an older one, refused when newer or unreadable. */
export function describeSchemaVersion({ openStore }: Conformance): void {
  describe('schema version', () => {
    it('writes the current schema version into a new store', async () => {
      const store = await openStore();
      expect(await rawValue(store, '!meta!version')).toBe(String(STORE_SCHEMA_VERSION));
    });

    it('refuses a store written by a newer troupe with STORE_VERSION, and closes it', async () => {
      const store = await openStore();
      await store.db.put('!meta!version', String(STORE_SCHEMA_VERSION + 1));
      await store.close();

      const error = await rejection(store.open());
      expect(error.code).toBe('STORE_VERSION');
      expect(error.message).toContain(`schema version ${STORE_SCHEMA_VERSION + 1}`);
      expect(error.hint).toContain('upgrade troupe');
      expect(store.db.status).toBe('closed');
      await expect(store.getPlan('01J00000000000000000000000')).rejects.toThrow(/not open/);
    });

    it('runs the migration from an older version, then records the current one', async () => {
      const migrate = vi.fn(async (db: LevelBackedStore['db']) => {
        await db.put('migrated', 'yes');
      });
      const store = await openStore({ migrations: { [STORE_SCHEMA_VERSION - 1]: migrate } });
      const creation = planCreation('demo/x');
      await store.createPlan(creation);
      await store.db.put('!meta!version', String(STORE_SCHEMA_VERSION - 1));
      await store.close();

      await store.open();

      expect(migrate).toHaveBeenCalledTimes(1);
      expect(await rawValue(store, 'migrated')).toBe('yes');
      expect(await rawValue(store, '!meta!version')).toBe(String(STORE_SCHEMA_VERSION));
      expect(await store.getPlan(creation.planId)).toEqual(creation.record);
      await store.close();
      await store.open();
      expect(migrate).toHaveBeenCalledTimes(1);
    });

    it('refuses an older version it has no migration for with STORE_VERSION', async () => {
      const store = await openStore({ migrations: {} });
      await store.db.put('!meta!version', String(STORE_SCHEMA_VERSION - 1));
      await store.close();
      const error = await rejection(store.open());
      expect(error.code).toBe('STORE_VERSION');
      expect(error.message).toContain(`no migration from version ${STORE_SCHEMA_VERSION - 1}`);
    });

    it('refuses a store that has data but no schema version with STORE_CORRUPT', async () => {
      const store = await openStore();
      await store.createPlan(planCreation('demo/x'));
      await store.db.del('!meta!version');
      await store.close();
      const error = await rejection(store.open());
      expect(error.code).toBe('STORE_CORRUPT');
      expect(error.message).toContain('no schema version');
    });

    it.each([
      ['not JSON', '{v2'],
      ['not a whole number', '"2"'],
      ['negative', '-1'],
    ])('refuses a schema version that is %s with STORE_CORRUPT, naming the key', async (_kind, version) => {
      const store = await openStore();
      await store.db.put('!meta!version', version);
      await store.close();
      const error = await rejection(store.open());
      expect(error.code).toBe('STORE_CORRUPT');
      expect(error.message).toContain(`has an unreadable schema version ${JSON.stringify(version)}`);
      expect(error.details).toEqual({ key: '!meta!version' });
      expect(store.db.status).toBe('closed');
    });
  });
}
