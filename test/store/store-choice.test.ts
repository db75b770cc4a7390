import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { storeChoice, usesPostgres } from '../../src/store/store-choice.js';
import { tempDir } from '../helpers/temp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function projectWithConfig(text: string | null): Promise<string> {
  const temp = await tempDir('troupe-choice-');
  cleanups.push(temp.cleanup);
  if (text !== null) {
    await mkdir(join(temp.dir, '.troupe'));
    await writeFile(join(temp.dir, '.troupe', 'config.json'), text);
  }
  return temp.dir;
}

describe('the store a project chooses', () => {
  const postgres = { kind: 'postgres', url: 'postgres://db/troupe', schema: 'plans' } as const;

  it('is LevelDB unless the config or TROUPE_DATABASE_URL says PostgreSQL', () => {
    expect(storeChoice({ store: { kind: 'level' } }, {})).toEqual({ kind: 'level' });
    expect(storeChoice({ store: postgres }, {})).toEqual({
      kind: 'postgres',
      url: 'postgres://db/troupe',
      schema: 'plans',
      setting: 'store.url in .troupe/config.json',
    });
    expect(storeChoice({ store: { kind: 'level' } }, { TROUPE_DATABASE_URL: '' })).toEqual({ kind: 'level' });
  });

  it('takes TROUPE_DATABASE_URL over the config, keeping the config’s schema', () => {
    expect(storeChoice({ store: postgres }, { TROUPE_DATABASE_URL: 'postgres://other/x' })).toEqual({
      kind: 'postgres',
      url: 'postgres://other/x',
      schema: 'plans',
      setting: 'TROUPE_DATABASE_URL',
    });
    expect(storeChoice({ store: { kind: 'level' } }, { TROUPE_DATABASE_URL: 'postgres://other/x' })).toMatchObject({
      schema: 'troupe',
      setting: 'TROUPE_DATABASE_URL',
    });
  });

  it('tells whether a project uses PostgreSQL from its config text alone', async () => {
    expect(await usesPostgres(await projectWithConfig(null), {})).toBe(false);
    expect(await usesPostgres(await projectWithConfig(null), { TROUPE_DATABASE_URL: 'postgres://db/x' })).toBe(true);
    expect(await usesPostgres(await projectWithConfig('{"plugins": []}'), {})).toBe(false);
    expect(await usesPostgres(await projectWithConfig(JSON.stringify({ store: postgres })), {})).toBe(true);
    expect(await usesPostgres(await projectWithConfig('{"store": {"kind": "postgres", '), {})).toBe(false);
    expect(await usesPostgres(await projectWithConfig('{"invariants": [{"id": "postgres"}]}'), {})).toBe(false);
  });
});
