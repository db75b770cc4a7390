import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyFilePatch, parseUnifiedDiff } from '../../../src/tools/index.js';
import { unifiedDiff } from './make-diff.js';

// fs/apply-patch's reading and applying of a unified diff: what diff -u
// says turns a into b does turn a into b, whatever the texts (issue 74).

// small texts from few distinct lines: repeated lines are where a patch can land in the wrong place
const text = fc
  .tuple(fc.array(fc.constantFrom('a', 'b', 'c', '', '  x', 'a\r'), { maxLength: 12 }), fc.boolean())
  .map(([lines, ends]) => (lines.length === 0 ? '' : `${lines.join('\n')}${ends ? '\n' : ''}`));

describe('a unified diff', () => {
  it('applied to a gives b, for any small texts, any context, a file made or deleted', () => {
    fc.assert(
      fc.property(
        fc.option(text, { freq: 5 }),
        fc.option(text, { freq: 5 }),
        fc.integer({ min: 0, max: 3 }),
        (before, after, context) => {
          // a patch changes something; an empty file made or deleted has no hunk to say so in plain diff -u
          fc.pre((before ?? '') !== (after ?? ''));
          const [file] = parseUnifiedDiff(unifiedDiff('f.txt', before, after, context));
          expect(file!.action).toBe(before === null ? 'create' : after === null ? 'delete' : 'modify');
          expect(applyFilePatch(before, file!)).toBe(after);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses, applied to a text it was not made for, or gives what the hunks say', () => {
    fc.assert(
      fc.property(text, text, text, (before, after, other) => {
        fc.pre(before !== after && other !== before);
        const [file] = parseUnifiedDiff(unifiedDiff('f.txt', before, after, 1));
        try {
          const patched = applyFilePatch(other, file!);
          // where it applies, every added line is in the result
          for (const line of file!.hunks.flatMap((hunk) => hunk.lines.filter((entry) => entry.kind === '+')))
            expect(patched).toContain(line.text);
        } catch (error) {
          expect(error).toMatchObject({
            code: 'VALIDATION_ERROR',
            message: expect.stringMatching(
              /^patch: (hunk \d+ of f\.txt \(@@ -\d+,\d+ \+\d+,\d+ @@\) does not apply: |deletes f\.txt)/,
            ),
          });
        }
      }),
      { numRuns: 300 },
    );
  });
});
