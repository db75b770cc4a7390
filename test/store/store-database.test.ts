import { join } from 'node:path';
import { Level } from 'level';
import { MemoryLevel } from 'memory-level';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { directBatchWriter, type StoreDatabase } from '../../src/store/store-database.js';
import { tempDir } from '../helpers/temp.js';

type Spied = { _batch: (operations: unknown, options: unknown) => Promise<void> };

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openLevel(): Promise<Level<string, string>> {
  const temp = await tempDir('troupe-direct-');
  const db = new Level<string, string>(join(temp.dir, 'db'));
  await db.open();
  cleanups.push(async () => {
    await db.close();
    await temp.cleanup();
  });
  return db;
}

const operations = [
  { type: 'put' as const, key: '!plans!a', value: '{"id":"a"}' },
  { type: 'put' as const, key: '!evt!a!1', value: '{"seq":1}' },
];

describe('directBatchWriter', () => {
  it("hands encoded operations to the database's own _batch, with sync, as one write the public API reads back", async () => {
    const db = await openLevel();
    const write = directBatchWriter(db as unknown as StoreDatabase)!;
    expect(write).not.toBeNull();
    const publicBatch = vi.spyOn(db, 'batch');
    const own = vi.spyOn(db as unknown as Spied, '_batch');
    await write(operations, true);
    await write([{ type: 'del', key: '!evt!a!1' }], false);
    expect(publicBatch).not.toHaveBeenCalled();
    expect(own.mock.calls.map(([, options]) => options)).toEqual([{ sync: true }, { sync: false }]);
    expect(await db.iterator().all()).toEqual([['!plans!a', '{"id":"a"}']]);
    // the same bytes the sublevel a store reads through decodes
    expect(await db.sublevel<string, string>('plans', {}).get('a')).toBe('{"id":"a"}');
  });

  it('takes the public path when a prewrite hook is added, so the hook sees the write', async () => {
    const db = await openLevel();
    const write = directBatchWriter(db as unknown as StoreDatabase)!;
    const seen: string[] = [];
    db.hooks.prewrite.add((op) => {
      seen.push(String(op.key));
    });
    await write(operations, false);
    expect(seen).toEqual(['!plans!a', '!evt!a!1']);
  });

  it('takes the public path when someone listens for write events', async () => {
    const db = await openLevel();
    const write = directBatchWriter(db as unknown as StoreDatabase)!;
    const events: unknown[] = [];
    db.on('write', (written) => events.push(written));
    await write(operations, false);
    expect(events).toHaveLength(1);
  });

  it('refuses a write to a closed database as the public API does', async () => {
    const db = await openLevel();
    const write = directBatchWriter(db as unknown as StoreDatabase)!;
    await db.close();
    await expect(write(operations, false)).rejects.toMatchObject({ code: 'LEVEL_DATABASE_NOT_OPEN' });
  });

  it('is null for a sublevel, whose own prefix the public path adds', async () => {
    const db = await openLevel();
    expect(directBatchWriter(db.sublevel<string, string>('store', {}) as unknown as StoreDatabase)).toBeNull();
  });

  it('is null for a database that keeps utf8 in another format', async () => {
    const db = new MemoryLevel<string, string>({ storeEncoding: 'buffer' });
    await db.open();
    cleanups.push(() => db.close());
    expect(directBatchWriter(db as unknown as StoreDatabase)).toBeNull();
  });
});
