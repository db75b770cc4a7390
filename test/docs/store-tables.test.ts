import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KEY_TABLES } from '../../src/store/postgres-tables.js';

// The PostgreSQL store's tables as the docs list them are the ones the store makes (issue 37: the docs named 13 of 15).

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function listed(page: string, from: string, to: string): string[] {
  const text = readFileSync(`${ROOT}/docs/${page}`, 'utf8').replace(/\s+/g, ' ');
  const start = text.indexOf(from);
  const end = text.indexOf(to, start);
  expect(start, `${page}: "${from}"`).toBeGreaterThanOrEqual(0);
  return [...text.slice(start, end).matchAll(/`([a-zA-Z]+)`/g)].map((match) => match[1]!);
}

describe('the PostgreSQL tables in the docs', () => {
  const tables = KEY_TABLES.map((table) => table.table).sort();

  it('plan-file.md lists every table the store makes, and their number', () => {
    expect(
      listed('reference/plan-file.md', 'one table per kind of stored value', 'and the schema version').sort(),
    ).toEqual(tables);
    expect(readFileSync(`${ROOT}/docs/reference/plan-file.md`, 'utf8')).toContain(`${tables.length} of them`);
  });

  it('architecture.md lists every table the store makes', () => {
    expect(listed('explanation/architecture.md', 'sublevels are tables', 'each `(key text').sort()).toEqual(tables);
  });
});
