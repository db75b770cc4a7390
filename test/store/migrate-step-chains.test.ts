import { cp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LevelStore, STORE_SCHEMA_VERSION } from '../../src/store/index.js';
import { migrateStepChains } from '../../src/store/migrate-step-chains.js';
import type { StoreDatabase } from '../../src/store/store-database.js';
import { tempDir } from '../helpers/temp.js';
import { checkpoint } from './fixtures.js';

// test/store/v1-store: a store written by troupe's schema version 1 (its
// make.ts says how), with what version 1 read from it (expected.json)
const FIXTURE = new URL('./v1-store/', import.meta.url).pathname;

interface Expected {
  name: string;
  strategyDecisionIds: string[];
  checkpoints: Record<string, string[]>;
}

describe('migrating a version 1 store to step chains', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function copyOfV1(): Promise<string> {
    const temp = await tempDir('troupe-v1-');
    cleanups.push(temp.cleanup);
    const path = join(temp.dir, 'db');
    await cp(join(FIXTURE, 'db'), path, { recursive: true });
    return path;
  }

  async function open(store: LevelStore): Promise<LevelStore> {
    await store.open();
    cleanups.push(() => store.close());
    return store;
  }

  async function expectedPlans(): Promise<Record<string, Expected>> {
    return JSON.parse(await readFile(join(FIXTURE, 'expected.json'), 'utf8')) as Record<string, Expected>;
  }

  // every plan's list and every checkpoint's list, as the store reads them
  async function lists(store: LevelStore): Promise<Record<string, Expected>> {
    const read: Record<string, Expected> = {};
    for (const plan of await store.listPlans()) {
      const checkpoints = Object.fromEntries((await store.listCheckpoints(plan.id)).map((c) => [c.id, c.stepIds]));
      expect((await store.getPlan(plan.id))?.strategyDecisionIds).toEqual(plan.strategyDecisionIds);
      read[plan.id] = { name: plan.name, strategyDecisionIds: plan.strategyDecisionIds, checkpoints };
    }
    return read;
  }

  async function rawEntries(db: StoreDatabase, prefix: string): Promise<[string, unknown][]> {
    const entries: [string, unknown][] = [];
    for await (const [key, value] of db.iterator({ gte: prefix, lt: `${prefix}\xff` }))
      entries.push([key, JSON.parse(value) as unknown]);
    return entries;
  }

  it('opens the store, moves it to the current version, and reads every step list version 1 read', async () => {
    const store = await open(new LevelStore({ path: await copyOfV1() }));

    expect(await store.db.get('!meta!version')).toBe(String(STORE_SCHEMA_VERSION));
    expect(await lists(store)).toEqual(await expectedPlans());
    // no checkpoint holds a list any more: each points into its plan's chain
    const checkpoints = await rawEntries(store.db, '!ckpt!');
    expect(checkpoints).toHaveLength(13);
    for (const [, value] of checkpoints) {
      expect(value).not.toHaveProperty('stepIds');
      expect(value).toHaveProperty('steps');
    }
    // the agent's plan: 28 ids in version 1 (its list and nine checkpoints' copies); now its list (4), then a
    // node where its checkpoints' lists left it (3: the first two steps and the third), and one per step after (3)
    const agent = Object.entries(await expectedPlans()).find(([, plan]) => plan.name === 'demo/agent')![0];
    const nodes = (await rawEntries(store.db, `!stepn!${agent}!`)).map(([, node]) => node);
    expect(nodes.flatMap((node) => (node as { ids: string[] }).ids)).toHaveLength(10);
  });

  it('writes on from a migrated plan: a step, a rollback past the old layout, a checkpoint', async () => {
    const path = await copyOfV1();
    const store = await open(new LevelStore({ path }));
    const expected = await expectedPlans();
    const [agentId, agent] = Object.entries(expected).find(([, plan]) => plan.name === 'demo/agent')!;
    const record = (await store.getPlan(agentId))!;
    const longest = Object.values(agent.checkpoints).find((list) => list.length === 6)!;

    // back to the six steps the old layout stored before its rollback, and one more step
    const grown = [...longest, '01J0000000000000000STEPE01'];
    const taken = checkpoint(agentId, '01J00000000000000000CP0099', { stepIds: grown });
    await store.commit({ planId: agentId, record: { ...record, strategyDecisionIds: grown }, checkpoints: [taken] });
    await store.close();
    const reopened = await open(new LevelStore({ path }));

    expect((await reopened.getPlan(agentId))?.strategyDecisionIds).toEqual(grown);
    expect((await reopened.getCheckpoint(agentId, taken.id))?.stepIds).toEqual(grown);
    for (const [id, list] of Object.entries(agent.checkpoints))
      expect((await reopened.getCheckpoint(agentId, id))?.stepIds).toEqual(list);
  });

  it('finishes a migration a crash cut short, and changes nothing when it runs again', async () => {
    const path = await copyOfV1();
    // the first plan's batch lands, then the process dies
    let batches = 0;
    const crashing = async (db: StoreDatabase) => {
      const batch = db.batch;
      // the database's own methods, wrapped on the instance (its private fields need the real object)
      db.batch = function (this: StoreDatabase, ...args: unknown[]) {
        const chained = (batch as (...a: unknown[]) => ReturnType<StoreDatabase['batch']>).apply(this, args);
        const write = chained.write;
        chained.write = function (this: typeof chained, ...writeArgs: unknown[]) {
          if (++batches > 1) return Promise.reject(new Error('killed'));
          return (write as (...a: unknown[]) => Promise<void>).apply(this, writeArgs);
        } as typeof chained.write;
        return chained;
      } as typeof db.batch;
      try {
        await migrateStepChains(db);
      } finally {
        db.batch = batch;
      }
    };
    const cutShort = new LevelStore({ path, migrations: { 1: crashing } });
    await expect(cutShort.open()).rejects.toThrow('killed');
    expect(batches).toBe(2);

    const store = await open(new LevelStore({ path }));
    expect(await store.db.get('!meta!version')).toBe(String(STORE_SCHEMA_VERSION));
    expect(await lists(store)).toEqual(await expectedPlans());

    // run again over a migrated store: every key and value as it was
    const before = await store.db.iterator().all();
    await migrateStepChains(store.db);
    expect(await store.db.iterator().all()).toEqual(before);
  });
});
