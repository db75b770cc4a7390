import { describe, expect, it } from 'vitest';
import { followedRenames } from '../../src/merge/rename-merge.js';

const changed = (ours: string[], theirs: string[]) => ({ ours: new Set(ours), theirs: new Set(theirs) });

describe('followedRenames', () => {
  it("follows a file both sides changed across either side's rename, in base path order", () => {
    const renames = { ours: [{ from: 'b.txt', to: 'b2.txt' }], theirs: [{ from: 'a.txt', to: 'a2.txt' }] };
    expect(followedRenames(changed(['a.txt', 'b.txt', 'b2.txt'], ['a.txt', 'a2.txt', 'b.txt']), renames)).toEqual([
      { base: 'a.txt', ours: 'a.txt', theirs: 'a2.txt' },
      { base: 'b.txt', ours: 'b2.txt', theirs: 'b.txt' },
    ]);
  });

  it("does not follow a rename of a file only one side changed: that side's changes are the merge", () => {
    const renames = { ours: [{ from: 'a.txt', to: 'b.txt' }], theirs: [] };
    expect(followedRenames(changed(['a.txt', 'b.txt'], []), renames)).toEqual([]);
    expect(followedRenames(changed([], ['a.txt']), { ours: [], theirs: [{ from: 'a.txt', to: 'c.txt' }] })).toEqual([]);
  });

  it('does not follow a rename onto a path the other side changed too: the paths merge one by one', () => {
    expect(
      followedRenames(changed(['a.txt', 'b.txt'], ['a.txt', 'b.txt']), {
        ours: [{ from: 'a.txt', to: 'b.txt' }],
        theirs: [],
      }),
    ).toEqual([]);
    expect(
      followedRenames(changed(['a.txt', 'c.txt'], ['a.txt', 'c.txt']), {
        ours: [],
        theirs: [{ from: 'a.txt', to: 'c.txt' }],
      }),
    ).toEqual([]);
  });

  it('follows a file both sides renamed to the same place', () => {
    const renames = { ours: [{ from: 'a.txt', to: 'b.txt' }], theirs: [{ from: 'a.txt', to: 'b.txt' }] };
    expect(followedRenames(changed(['a.txt', 'b.txt'], ['a.txt', 'b.txt']), renames)).toEqual([
      { base: 'a.txt', ours: 'b.txt', theirs: 'b.txt' },
    ]);
  });
});
