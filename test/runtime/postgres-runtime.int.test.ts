import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { createRuntime, openRuntime } from '../../src/runtime/index.js';
import { hostSocketPath } from '../../src/runtime/host/host-protocol.js';
import { postgresUnavailable, startTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { tempRepo } from '../helpers/temp.js';
import { runCli } from '../cli/run-cli.js';
import { planYaml, step } from './fixtures.js';

// A project whose .troupe/config.json (or TROUPE_DATABASE_URL) chooses
// PostgreSQL: the runtime keeps its plans there, end to end, on real git.

const unavailable = postgresUnavailable();

const PLAN = planYaml({
  name: 'demo/pg',
  automation: 'review',
  strategy: {
    steps: [
      step('Write a', 'fs/write-file', { path: 'a.txt', content: 'a1\n' }),
      step('Write b', 'fs/write-file', { path: 'b.txt', content: 'b1\n' }),
    ],
  },
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function project(store: unknown): Promise<string> {
  const repo = await tempRepo({ 'README.md': '# project\n', 'a.txt': 'a0\n' });
  cleanups.push(repo.cleanup);
  await mkdir(join(repo.dir, '.troupe'), { recursive: true });
  if (store !== undefined) await writeFile(join(repo.dir, '.troupe', 'config.json'), JSON.stringify({ store }));
  return repo.dir;
}

describe.skipIf(unavailable !== null)('a project on PostgreSQL', () => {
  let server: TestPostgres;
  beforeAll(async () => {
    server = await startTestPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  async function rows(schema: string, table: string): Promise<number> {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    try {
      return Number((await client.query(`SELECT count(*) AS n FROM "${schema}"."${table}"`)).rows[0].n);
    } finally {
      await client.end();
    }
  }

  function freshSchema(): string {
    const schema = server.schema();
    cleanups.push(() => server.dropSchema(schema));
    return schema;
  }

  it('runs, checkpoints and rolls back a plan kept in the database the config names, with nothing in .troupe/db', async () => {
    const schema = freshSchema();
    const dir = await project({ kind: 'postgres', url: server.url, schema });
    const runtime = await createRuntime({ dir, report: () => {} });
    const closing = runtime.close.bind(runtime);
    cleanups.push(() => closing().catch(() => {}));

    const plan = await runtime.run((await runtime.createPlan(PLAN)).id);
    expect(plan).toMatchObject({ name: 'demo/pg', phase: 'validate', status: 'complete' });
    const worktree = join(dir, plan.sandbox!.worktree);
    expect(readFileSync(join(worktree, 'b.txt'), 'utf8')).toBe('b1\n');
    const checkpoints = await runtime.checkpoints(plan.id);
    expect(checkpoints.map((checkpoint) => checkpoint.trigger)).toEqual([
      'phase',
      'pre-execute',
      'step',
      'step',
      'post-execute',
      'phase',
    ]);

    const rollback = await runtime.rollback(plan.id, { to: checkpoints[2]!.id });
    expect(rollback.checkpoint.id).toBe(checkpoints[2]!.id);
    expect(readFileSync(join(worktree, 'a.txt'), 'utf8')).toBe('a1\n');
    expect(existsSync(join(worktree, 'b.txt'))).toBe(false);
    const rolledBack = await runtime.getPlan(plan.id);
    expect(rolledBack).toMatchObject({ phase: 'execute', status: 'queued' });
    await runtime.close();

    // the rows are in the schema the config named, and LevelDB was never opened
    expect(await rows(schema, 'plans')).toBe(1);
    expect(await rows(schema, 'checkpoints')).toBeGreaterThan(checkpoints.length);
    expect(existsSync(join(dir, '.troupe', 'db'))).toBe(false);

    // a new runtime (another process, as far as the database knows) sees the plan as the rollback left it
    const again = await createRuntime({ dir, report: () => {}, resume: false });
    cleanups.push(() => again.close());
    expect(await again.getPlan('demo/pg')).toEqual(rolledBack);
    expect((await again.events(plan.id)).some((event) => event.type === 'plan.rolled_back')).toBe(true);
  });

  it('takes TROUPE_DATABASE_URL over the config, and opens it without an owner socket', async () => {
    const schema = freshSchema();
    // the config names a server that does not exist: the environment wins
    const dir = await project({ kind: 'postgres', url: 'postgres://nobody@127.0.0.1:1/none', schema });
    process.env['TROUPE_DATABASE_URL'] = server.url;
    cleanups.push(async () => {
      delete process.env['TROUPE_DATABASE_URL'];
    });
    const first = await openRuntime({ dir, resume: false });
    const second = await openRuntime({ dir, resume: false });
    cleanups.push(() => second.close());
    cleanups.push(() => first.close());

    expect([first.role, second.role]).toEqual(['host', 'host']);
    expect(existsSync(hostSocketPath(dir))).toBe(false);
    const created = await first.runtime.createPlan(PLAN);
    expect((await second.runtime.getPlan('demo/pg')).id).toBe(created.id);
    expect(await rows(schema, 'names')).toBe(1);
  });

  it('refuses a URL that is not postgres:// with VALIDATION_ERROR naming the setting, writing nothing', async () => {
    const dir = await project({ kind: 'postgres', url: 'mysql://root:secret@db/troupe' });
    const error = await createRuntime({ dir, report: () => {} }).catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TroupeError);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR', details: { setting: 'store.url in .troupe/config.json' } });
    expect((error as TroupeError).message).toBe(
      'store.url in .troupe/config.json: must be a postgres:// URL such as postgres://user:password@host:5432/troupe, got "mysql://root:***@db/troupe"',
    );
    expect(existsSync(join(dir, '.troupe', 'db'))).toBe(false);
  });

  it('says which setting names a server it cannot reach, as a coded error without a stack', async () => {
    const dir = await project({ kind: 'postgres', url: 'postgres://troupe:secret@127.0.0.1:1/troupe' });
    const result = await runCli(dir, ['plan', 'list']);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('STORE_UNAVAILABLE');
    expect(result.stderr).toContain(
      'cannot open the PostgreSQL store at postgres://troupe:***@127.0.0.1:1/troupe (store.url in .troupe/config.json)',
    );
    expect(result.stderr).toContain('check that the server runs');
    expect(result.stderr).not.toContain('secret');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('has troupe doctor open the PostgreSQL store, and say what to fix when it cannot', async () => {
    const schema = freshSchema();
    const storeOf = async (dir: string) => {
      const result = await runCli(dir, ['doctor', '--json']);
      return (
        JSON.parse(result.stdout) as { checks: { name: string; ok: boolean; detail: string; fix?: string }[] }
      ).checks.find((check) => check.name === 'store');
    };
    expect(await storeOf(await project({ kind: 'postgres', url: server.url, schema }))).toEqual({
      name: 'store',
      ok: true,
      detail: `PostgreSQL store opens: schema ${schema} (store.url in .troupe/config.json)`,
    });
    expect(await rows(schema, 'meta')).toBe(1);
    const unreachable = await storeOf(await project({ kind: 'postgres', url: 'postgres://troupe@127.0.0.1:1/troupe' }));
    expect(unreachable).toMatchObject({
      ok: false,
      detail: expect.stringContaining('cannot open the PostgreSQL store at postgres://troupe@127.0.0.1:1/troupe'),
      fix: expect.stringContaining('check that the server runs'),
    });
  });

  it('refuses a store setting of an unknown kind, naming the field', async () => {
    const dir = await project({ kind: 'redis', url: 'redis://x' });
    const error = await createRuntime({ dir, report: () => {} }).catch((reason: unknown) => reason);
    expect(error).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((error as TroupeError).message).toContain('store');
  });
});

describe('a store setting that came with the repository', () => {
  it('is refused, as plugins are: plans would go to a server the repository chose', async () => {
    const repo = await tempRepo({
      'README.md': '# project\n',
      '.troupe/config.json': JSON.stringify({ store: { kind: 'postgres', url: 'postgres://collector.example/loot' } }),
    });
    cleanups.push(repo.cleanup);
    const error = await createRuntime({ dir: repo.dir, report: () => {} }).catch((reason: unknown) => reason);
    expect(error).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: { issues: [expect.objectContaining({ path: 'store' })] },
    });
  });
});
