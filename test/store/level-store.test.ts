import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { TroupeError } from '../../src/domain/index.js';
import { createLevelStore, defaultStorePath, LevelStore } from '../../src/store/index.js';
import { tempDir } from '../helpers/temp.js';
import { runStoreConformance } from './conformance/index.js';
import { planCreation } from './fixtures.js';

runStoreConformance('LevelStore', async (options) => {
  const temp = await tempDir('troupe-store-');
  const path = join(temp.dir, 'db');
  return { store: new LevelStore({ ...options, path }), cleanup: temp.cleanup, reopen: () => new LevelStore({ path }) };
});

// a separate node process holding the database open, as another troupe command would
async function holdOpenElsewhere(path: string): Promise<ChildProcess> {
  const script = `
    import { Level } from ${JSON.stringify(import.meta.resolve('level'))};
    const db = new Level(process.argv[1]);
    await db.open();
    process.stdout.write('open\\n');
    process.stdin.resume();
    process.stdin.on('end', async () => { await db.close(); process.exit(0); });
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script, path], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  expect(chunk.toString()).toBe('open\n');
  return child;
}

describe('LevelStore', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function tempPath(...parts: string[]): Promise<string> {
    const temp = await tempDir('troupe-store-');
    cleanups.push(temp.cleanup);
    return join(temp.dir, ...parts);
  }

  it('keeps a project’s store in .troupe/db', () => {
    expect(defaultStorePath('/work/project')).toBe(join('/work/project', '.troupe', 'db'));
  });

  it('creates its directory, parents included, on open and not before', async () => {
    const path = await tempPath('nested', '.troupe', 'db');
    const store = createLevelStore(path);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });

    await store.open();
    cleanups.push(() => store.close());
    expect(store.kind).toBe('level');
    expect((await stat(path)).isDirectory()).toBe(true);
  });

  it('fails with STORE_LOCKED while another process holds the store, and opens once it lets go', async () => {
    const path = await tempPath('db');
    const child = await holdOpenElsewhere(path);
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill();
    });
    const store = new LevelStore({ path });

    const error = await store.open().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TroupeError);
    expect((error as TroupeError).code).toBe('STORE_LOCKED');
    expect((error as TroupeError).message).toBe(`the store at ${path} is open in another process`);
    expect((error as TroupeError).hint).toBeTruthy();

    child.stdin!.end();
    expect((await once(child, 'exit'))[0]).toBe(0);
    await store.open();
    cleanups.push(() => store.close());
    const creation = planCreation('demo/x');
    await store.createPlan(creation);
    expect(await store.getPlan(creation.planId)).toEqual(creation.record);
  });

  it('fails with STORE_LOCKED for a second store on the same path in this process', async () => {
    const path = await tempPath('db');
    const first = new LevelStore({ path });
    await first.open();
    cleanups.push(() => first.close());
    await expect(new LevelStore({ path }).open()).rejects.toMatchObject({ code: 'STORE_LOCKED' });
  });

  it('fails with STORE_CORRUPT, naming the store and the way out, when its files are damaged', async () => {
    const path = await tempPath('db');
    const store = new LevelStore({ path });
    await store.open();
    await store.createPlan(planCreation('demo/x'));
    await store.close();
    const manifest = (await readdir(path)).find((file) => file.startsWith('MANIFEST-'))!;
    await writeFile(join(path, manifest), 'not a leveldb manifest');

    const error = await new LevelStore({ path }).open().catch((reason: unknown) => reason);
    expect(error).toBeInstanceOf(TroupeError);
    expect(error).toMatchObject({
      code: 'STORE_CORRUPT',
      message: `the store at ${path} is damaged and cannot be opened`,
      details: { location: path },
    });
    expect((error as TroupeError).hint).toContain('move it away to start an empty store');
  });

  it('lets a failure to open that is neither a lock nor damage through as it is', async () => {
    const path = await tempPath('db');
    // LevelDB cannot create its lock file where a directory is
    await mkdir(join(path, 'LOCK'), { recursive: true });
    const error = await new LevelStore({ path }).open().catch((reason: unknown) => reason);
    expect(error).not.toBeInstanceOf(TroupeError);
    expect(error).toMatchObject({ code: 'LEVEL_DATABASE_NOT_OPEN', cause: { code: 'LEVEL_IO_ERROR' } });
  });

  it('holds no lock before open, so constructing a store is free', async () => {
    const path = await tempPath('db');
    const idle = new LevelStore({ path });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const active = new LevelStore({ path });
    cleanups.push(() => active.close());
    await expect(active.open()).resolves.toBeUndefined();
    await expect(idle.open()).rejects.toMatchObject({ code: 'STORE_LOCKED' });
  });
});
