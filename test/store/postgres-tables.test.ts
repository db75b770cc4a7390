import fc from 'fast-check';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { KEY_TABLES, quoteLiteral, tableOfKey, tableRange } from '../../src/store/postgres-tables.js';
import { redactedUrl, urlProblem } from '../../src/store/postgres-errors.js';

// The mapping of LevelDB keys and ranges onto PostgreSQL tables, and the
// URL checks, without a server.

const table = (name: string) => KEY_TABLES.find((candidate) => candidate.table === name)!;

describe('PostgreSQL key tables', () => {
  it('has one table per sublevel, in the order of their keys, and one for keys outside them last', () => {
    const prefixes = KEY_TABLES.map((candidate) => candidate.prefix);
    expect(prefixes.slice(0, -1)).toEqual([...prefixes.slice(0, -1)].sort());
    expect(KEY_TABLES.map((candidate) => candidate.table)).toEqual(
      expect.arrayContaining(['plans', 'names', 'events', 'checkpoints', 'meta', 'extra']),
    );
    expect(KEY_TABLES.at(-1)).toEqual({ table: 'extra', prefix: '', insertOnly: false });
    expect(
      KEY_TABLES.filter((candidate) => candidate.insertOnly)
        .map((candidate) => candidate.table)
        .sort(),
    ).toEqual(['events', 'logs', 'names', 'stepNodes']);
  });

  it('finds the table of a key and the key inside it', () => {
    expect(tableOfKey('!evt!01J!000000000002')).toEqual({ table: table('events'), key: '01J!000000000002' });
    expect(tableOfKey('migrated')).toEqual({ table: table('extra'), key: 'migrated' });
  });

  it('cuts a range to the keys of one table, or to none', () => {
    const events = table('events');
    // a sublevel's whole range
    expect(tableRange(events, { gte: '!evt!', lt: '!evt"' })).toEqual({ lower: { key: '', inclusive: true } });
    expect(tableRange(events, { gt: '!evt!01J!000000000005', lte: '!evt!01J"' })).toEqual({
      lower: { key: '01J!000000000005', inclusive: false },
      upper: { key: '01J"', inclusive: true },
    });
    // bounds wholly before or after the table
    expect(tableRange(events, { gte: '!a', lt: '!z' })).toEqual({});
    expect(tableRange(events, { gt: '!plans!x' })).toBeNull();
    expect(tableRange(events, { lt: '!chg!x' })).toBeNull();
    expect(tableRange(events, {})).toEqual({});
  });

  it('cuts a range to the keys outside every sublevel', () => {
    const extra = table('extra');
    expect(tableRange(extra, {})).toEqual({});
    expect(tableRange(extra, { gte: '!meta!', lt: '!meta"' })).toBeNull();
    expect(tableRange(extra, { gt: '!zzz', lte: 'n' })).toEqual({ upper: { key: 'n', inclusive: true } });
    expect(tableRange(extra, { gte: 'm' })).toEqual({ lower: { key: 'm', inclusive: true } });
  });
});

describe('PostgreSQL URLs', () => {
  it('shows a URL without its password, and not at all when it does not parse', () => {
    expect(redactedUrl('postgres://troupe:secret@db:5432/troupe')).toBe('postgres://troupe:***@db:5432/troupe');
    expect(redactedUrl('postgres://db/troupe')).toBe('postgres://db/troupe');
    expect(redactedUrl('not a url: secret')).toBe('(not a URL)');
  });

  it('takes postgres:// and postgresql:// URLs, and refuses anything else naming the setting', () => {
    expect(urlProblem('postgres://db/troupe', 'TROUPE_DATABASE_URL')).toBeNull();
    expect(urlProblem('postgresql://db/troupe', 'TROUPE_DATABASE_URL')).toBeNull();
    const wrong = urlProblem('db 5432 secret', 'TROUPE_DATABASE_URL');
    expect(wrong).toMatchObject({ code: 'VALIDATION_ERROR', details: { setting: 'TROUPE_DATABASE_URL' } });
    expect(wrong!.message).toBe(
      'TROUPE_DATABASE_URL: must be a postgres:// URL such as postgres://user:password@host:5432/troupe, got "(not a URL)"',
    );
    expect(wrong!.hint).toContain('fix TROUPE_DATABASE_URL');
    expect(urlProblem(5432, 'store.url')!.message).toContain('got number');
  });
});

describe('SQL literals', () => {
  it('quotes any text as pg.escapeLiteral does: quotes doubled, backslashes doubled in an E string', () => {
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral('a\\b')).toBe(" E'a\\\\b'");
    expect(quoteLiteral('')).toBe("''");
    // what the store writes: JSON with quotes, backslashes and any unicode
    const text = fc.string({
      unit: fc.oneof(fc.constantFrom("'", '\\', '"', '$', '\n'), fc.string({ unit: 'grapheme', maxLength: 1 })),
      maxLength: 60,
    });
    fc.assert(
      fc.property(text, (value) => {
        expect(quoteLiteral(value)).toBe(pg.escapeLiteral(value));
      }),
      { numRuns: 500 },
    );
  });
});
