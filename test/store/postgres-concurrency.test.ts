import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { decision, journalEvent, planCreation } from './fixtures.js';

// Many writers on one database (DESIGN §10): stores with connections of
// their own, in this process and in others, as troupe processes on several
// machines would be.

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)('PostgresStore with many writers', () => {
  let server: TestPostgres;
  const stores: PostgresStore[] = [];
  const schemas: string[] = [];
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const schema of schemas.splice(0)) await server.dropSchema(schema);
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function openStores(count: number): Promise<{ schema: string; stores: PostgresStore[] }> {
    const schema = server.schema();
    schemas.push(schema);
    const opened = Array.from({ length: count }, () => new PostgresStore({ url: server.url, schema }));
    stores.push(...opened);
    // opening a new schema at once from each: one creates the tables, the others find them
    await Promise.all(opened.map((store) => store.open()));
    return { schema, stores: opened };
  }

  it('lets exactly one of several writers claim a name, and writes nothing of the others', async () => {
    const { stores: writers } = await openStores(4);
    const creations = writers.flatMap(() => [planCreation('demo/race'), planCreation('demo/race')]);
    const results = await Promise.allSettled(
      creations.map((creation, index) => writers[index % writers.length]!.createPlan(creation)),
    );

    const won = results.flatMap((result, index) => (result.status === 'fulfilled' ? [creations[index]!] : []));
    expect(won).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected')
        expect(result.reason).toMatchObject({
          code: 'VALIDATION_ERROR',
          message: 'name: a plan named "demo/race" already exists',
        });
    }
    const reader = writers[0]!;
    expect(await reader.getPlanIdByName('demo/race')).toBe(won[0]!.planId);
    expect((await reader.listPlans()).map((record) => record.id)).toEqual([won[0]!.planId]);
    for (const creation of creations.filter((creation) => creation !== won[0]))
      expect(await reader.readEvents(creation.planId)).toEqual([]);
  });

  it('writes one plan while another plan’s write waits for the database: writes of different plans go side by side', async () => {
    const {
      schema,
      stores: [store],
    } = await openStores(1);
    const [a, b] = [planCreation('demo/a'), planCreation('demo/b')];
    await Promise.all([store!.createPlan(a), store!.createPlan(b)]);
    // another session holds a's row: a's next write waits for it
    const holder = new pg.Client({ connectionString: server.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT 1 FROM "${schema}".plans WHERE key = $1 FOR UPDATE`, [a.planId]);
      let aWritten = false;
      const aWrite = store!
        .commit({ planId: a.planId, record: { ...a.record, toolCalls: 1 }, events: [journalEvent(a.planId, 3)] })
        .then(() => (aWritten = true));
      // one store, one process: before, every write waited for the one before it, so b's waited for a's
      const bWrite = store!.commit({
        planId: b.planId,
        record: { ...b.record, toolCalls: 1 },
        events: [journalEvent(b.planId, 3)],
      });
      await Promise.race([
        bWrite,
        new Promise((_, reject) => setTimeout(() => reject(new Error('b’s write waited for a’s')), 5_000)),
      ]);
      expect((await store!.getPlan(b.planId))?.toolCalls).toBe(1);
      expect(aWritten).toBe(false);
      await holder.query('ROLLBACK');
      await aWrite;
      expect((await store!.getPlan(a.planId))?.toolCalls).toBe(1);
    } finally {
      await holder.end();
    }
  });

  it('rolls back the whole transition of a second writer of one plan with STORE_LOCKED', async () => {
    const {
      stores: [first, second],
    } = await openStores(2);
    const creation = planCreation('demo/x');
    await first!.createPlan(creation);
    const { planId, record } = creation;
    const mine = decision(planId, { title: 'first writer' });
    const theirs = decision(planId, { title: 'second writer' });
    await first!.commit({
      planId,
      record: { ...record, toolCalls: 1 },
      decisions: [mine],
      events: [journalEvent(planId, 3)],
    });

    const error = await second!
      .commit({ planId, record: { ...record, toolCalls: 99 }, decisions: [theirs], events: [journalEvent(planId, 3)] })
      .catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TroupeError);
    expect(error).toMatchObject({
      code: 'STORE_LOCKED',
      message: `plan ${planId} is written by another process: its event 3 exists already`,
      details: { planId },
    });
    expect((error as TroupeError).hint).toContain('nothing of this transition was written');

    expect((await second!.getPlan(planId))?.toolCalls).toBe(1);
    expect(await second!.getDecision(planId, theirs.id)).toBeNull();
    expect((await second!.readEvents(planId)).map((event) => event.seq)).toEqual([1, 2, 3]);
  });

  it('keeps every plan of writers in separate processes, and gives a name they race for to one', async () => {
    const schema = server.schema();
    schemas.push(schema);
    const writer = fileURLToPath(new URL('./postgres-writer.ts', import.meta.url));
    const children = [0, 1, 2].map((index) =>
      spawn(process.execPath, ['--import', 'tsx', writer, server.url, schema, `w${index}`], {
        stdio: ['ignore', 'pipe', 'inherit'],
      }),
    );
    const exits = await Promise.all(
      children.map(async (child) => {
        let text = '';
        child.stdout!.on('data', (chunk: Buffer) => (text += chunk.toString()));
        const [code] = (await once(child, 'exit')) as [number];
        return { code, text };
      }),
    );
    expect(exits.map((exit) => exit.code)).toEqual([0, 0, 0]);
    const outputs = exits.map((exit) => JSON.parse(exit.text) as { created: string[]; shared: string });

    expect(outputs.filter((output) => output.shared === 'won')).toHaveLength(1);
    expect(outputs.filter((output) => output.shared === 'VALIDATION_ERROR')).toHaveLength(2);
    const [reader] = (await openStoresOn(schema)).stores;
    const names = (await reader!.listPlans()).map((record) => record.name).sort();
    expect(names).toEqual(['demo/shared', ...outputs.flatMap((output) => output.created)].sort());
    expect(names).toHaveLength(3 * 5 + 1);
  });

  async function openStoresOn(schema: string): Promise<{ stores: PostgresStore[] }> {
    const store = new PostgresStore({ url: server.url, schema });
    stores.push(store);
    await store.open();
    return { stores: [store] };
  }
});
