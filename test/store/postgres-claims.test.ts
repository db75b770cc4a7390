import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres-store.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { journalEvents, planCreation } from './fixtures.js';

// Who runs a plan, and who hears of it, when many processes open one
// PostgreSQL store (issue 21 items 1 and 4): plan claims are advisory locks
// that end with their holder's connection; every transition that writes
// journal events notifies the store's channel inside its transaction.

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== null)('PostgresStore claims and change feed', () => {
  let server: TestPostgres;
  const stores: PostgresStore[] = [];
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function openStores(count: number): Promise<{ schema: string; stores: PostgresStore[] }> {
    const schema = server.schema();
    const opened = Array.from({ length: count }, () => new PostgresStore({ url: server.url, schema }));
    stores.push(...opened);
    for (const store of opened) await store.open();
    return { schema, stores: opened };
  }

  it('lets one process hold a plan: claims count, another is refused until the last release', async () => {
    const [a, b] = (await openStores(2)).stores as [PostgresStore, PostgresStore];
    expect(await a.claimPlan('P1')).toBe(true);
    expect(await a.claimPlan('P1')).toBe(true);
    expect(await b.claimPlan('P1')).toBe(false);
    // another plan is another lock
    expect(await b.claimPlan('P2')).toBe(true);
    await a.releasePlan('P1');
    expect(await b.claimPlan('P1')).toBe(false);
    await a.releasePlan('P1');
    expect(await b.claimPlan('P1')).toBe(true);
    // releasing what one does not hold changes nothing
    await a.releasePlan('P1');
    expect(await a.claimPlan('P1')).toBe(false);
  });

  it('claims and releases many plans at once without pg warning of queries on a busy client', async () => {
    const [a] = (await openStores(1)).stores as [PostgresStore];
    const warnings: string[] = [];
    const listener = (warning: Error) => warnings.push(warning.message);
    process.on('warning', listener);
    try {
      const ids = Array.from({ length: 20 }, (_, index) => `Q${index}`);
      expect(await Promise.all(ids.map((id) => a.claimPlan(id)))).toEqual(ids.map(() => true));
      await Promise.all(ids.map((id) => a.releasePlan(id)));
      // warnings are emitted on the next tick
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', listener);
    }
    expect(warnings.filter((message) => message.includes('already executing a query'))).toEqual([]);
  });

  it('holds a plan here only while the session holding its lock answers: one the server ended holds none', async () => {
    const { schema } = await openStores(0);
    const store = new PostgresStore({ url: `${server.url}?application_name=troupe-held-here`, schema });
    stores.push(store);
    await store.open();
    expect(await store.heldHere(['P1'])).toEqual([]);
    expect(await store.claimPlan('P1')).toBe(true);
    expect(await store.heldHere(['P1', 'P2'])).toEqual(['P1']);
    // the session ends without this process hearing of it first (an administrator, a cut network given up on)
    const lost: string[][] = [];
    store.onClaimsLost = (planIds) => lost.push(planIds);
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'troupe-held-here'",
    );
    await admin.end();
    expect(await store.heldHere(['P1'])).toEqual([]);
    // and the process hears its claims ended, as from any lost connection
    for (let waited = 0; lost.length === 0 && waited < 5_000; waited += 50)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(lost).toEqual([['P1']]);
  });

  it('keeps two schemas on one server apart', async () => {
    const [a] = (await openStores(1)).stores as [PostgresStore];
    const [b] = (await openStores(1)).stores as [PostgresStore];
    expect(await a.claimPlan('P1')).toBe(true);
    expect(await b.claimPlan('P1')).toBe(true);
  });

  it('frees the plans of a process killed with SIGKILL', async () => {
    const {
      schema,
      stores: [store],
    } = await openStores(1);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./postgres-claimer.ts', import.meta.url)), server.url, schema, 'P9'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const said = await new Promise<string>((resolve) => child.stdout!.setEncoding('utf8').once('data', resolve));
    expect(said.trim()).toBe('claimed');
    expect(await store!.claimPlan('P9')).toBe(false);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // the server ends the dead connection's session, and its locks with it
    const deadline = Date.now() + 10_000;
    let claimed = false;
    while (!claimed && Date.now() < deadline) {
      claimed = await store!.claimPlan('P9');
      if (!claimed) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(claimed).toBe(true);
  });

  it('tells another process which plans are held, without taking them, and not once their holder was killed with SIGKILL', async () => {
    const {
      schema,
      stores: [store],
    } = await openStores(1);
    expect(await store!.claimedPlans(['P7', 'P8'])).toEqual([]);
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./postgres-claimer.ts', import.meta.url)), server.url, schema, 'P7'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const said = await new Promise<string>((resolve) => child.stdout!.setEncoding('utf8').once('data', resolve));
    expect(said.trim()).toBe('claimed');
    expect(await store!.claimedPlans(['P7', 'P8'])).toEqual(['P7']);
    // the read took nothing: the holder still has it, the other plan is free
    expect(await store!.claimPlan('P7')).toBe(false);
    expect(await store!.claimPlan('P8')).toBe(true);
    // this process's own claim counts too
    expect(await store!.claimedPlans(['P7', 'P8'])).toEqual(['P7', 'P8']);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();
    let held = ['P7'];
    while (held.includes('P7') && Date.now() - killedAt < 10_000) {
      held = await store!.claimedPlans(['P7']);
      if (held.length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(held).toEqual([]);
    // a killed process's socket is closed by its kernel: the server ends the session at once
    expect(Date.now() - killedAt).toBeLessThan(5_000);
  });

  it('tells every listener of a committed transition: the plan and its first event, never a rolled-back one', async () => {
    const [listener, writer, other] = (await openStores(3)).stores as [PostgresStore, PostgresStore, PostgresStore];
    const heard: string[] = [];
    listener.watchPlans((planId, fromSeq) => heard.push(`${planId} ${fromSeq}`));
    // LISTEN is set up in the background, and says so with '*'
    await until(() => heard.length > 0);
    expect(heard).toEqual(['* 0']);
    heard.length = 0;
    const creation = planCreation('demo/heard');
    await writer.createPlan(creation);
    await until(() => heard.length > 0);
    expect(heard).toEqual([`${creation.planId} 1`]);
    await writer.commit({
      planId: creation.planId,
      record: creation.record,
      events: journalEvents(creation.planId, 3, 5),
    });
    await until(() => heard.length > 1);
    expect(heard[1]).toBe(`${creation.planId} 3`);
    // a second writer of the same seqs is refused whole (STORE_LOCKED): nothing is announced
    await expect(
      other.commit({ planId: creation.planId, record: creation.record, events: journalEvents(creation.planId, 5, 6) }),
    ).rejects.toMatchObject({ code: 'STORE_LOCKED' });
    // a transition without events is not announced either
    await writer.commit({ planId: creation.planId, record: creation.record });
    await writer.commit({
      planId: creation.planId,
      record: creation.record,
      events: journalEvents(creation.planId, 6, 6),
    });
    await until(() => heard.length > 2);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(heard).toEqual([`${creation.planId} 1`, `${creation.planId} 3`, `${creation.planId} 6`]);
  });

  it('tells its listeners "*" once it listens: a commit made while it connected may not have been heard', async () => {
    const [listener, writer] = (await openStores(2)).stores as [PostgresStore, PostgresStore];
    const heard: string[] = [];
    listener.watchPlans((planId, fromSeq) => heard.push(`${planId} ${fromSeq}`));
    // committed at once, before the listener's connection can have been made
    const creation = planCreation('demo/early');
    await writer.createPlan(creation);
    await until(() => heard.includes('* 0'));
    // '*' is heard once, however the race went (the commit's own notice may come too);
    // a listener added later, to a store already listening, is not told '*'
    const second: string[] = [];
    listener.watchPlans((planId, fromSeq) => second.push(`${planId} ${fromSeq}`));
    await writer.commit({
      planId: creation.planId,
      record: creation.record,
      events: journalEvents(creation.planId, 3, 3),
    });
    await until(() => second.includes(`${creation.planId} 3`));
    expect(second).not.toContain('* 0');
    expect(heard.filter((notice) => notice === '* 0')).toHaveLength(1);
  });

  it('tells its listeners "*" once the connection came back after the server went away', async () => {
    const [listener, writer] = (await openStores(2)).stores as [PostgresStore, PostgresStore];
    const heard: string[] = [];
    listener.watchPlans((planId, fromSeq) => heard.push(`${planId} ${fromSeq}`));
    await until(() => heard.includes('* 0'));
    const creation = planCreation('demo/back');
    await writer.createPlan(creation);
    await until(() => heard.includes(`${creation.planId} 1`));
    const back = await server.outage();
    await new Promise((resolve) => setTimeout(resolve, 500));
    await back();
    await until(() => heard.filter((notice) => notice === '* 0').length === 2, 20_000);
    await writer.commit({
      planId: creation.planId,
      record: creation.record,
      events: journalEvents(creation.planId, 3, 3),
    });
    await until(() => heard.includes(`${creation.planId} 3`), 20_000);
  }, 60_000);

  it('in the seconds after the server restarted, waits for a plan its process is taking back before calling it unheld', async () => {
    const [holder] = (await openStores(1)).stores as [PostgresStore];
    expect(await holder.claimPlan('R1')).toBe(true);
    const back = await server.outage();
    await back();
    // the restart ended the claim; a reader opened now finds R1 and R2 unheld, and R1's process takes it back a second later
    const [reader, retaker] = (await openStores(2)).stores as [PostgresStore, PostgresStore];
    const reading = reader.claimedPlans(['R1', 'R2']);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(await retaker.claimPlan('R1')).toBe(true);
    // R1 held again within the window; R2, which nobody takes, unheld once it passed
    expect(await reading).toEqual(['R1']);
    expect(await reader.claimedPlans(['R2'])).toEqual([]);
  }, 60_000);
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
