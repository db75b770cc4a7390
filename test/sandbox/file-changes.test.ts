import { describe, expect, it } from 'vitest';
import { parseAddVerbose } from '../../src/sandbox/file-changes.js';

describe('parseAddVerbose', () => {
  it('lists the paths git add --verbose staged, added and removed, sorted and once each', () => {
    expect(parseAddVerbose("add 'src/b.ts'\nremove 'gone.txt'\nadd 'a b/it''s.md'\nadd 'src/b.ts'\n")).toEqual([
      "a b/it''s.md",
      'gone.txt',
      'src/b.ts',
    ]);
  });

  it('lists nothing when nothing was staged, and skips lines that are not add or remove', () => {
    expect(parseAddVerbose('')).toEqual([]);
    expect(parseAddVerbose("warning: in the working copy of 'x', LF will be replaced by CRLF\n")).toEqual([]);
  });
});
