import { describe, expect, it } from 'vitest';
import { merge, type MergeResult } from '../../src/merge/index.js';
import { bytes, text } from './bytes.js';

function mergeTexts(
  base: string | null,
  ours: string | null,
  theirs: string | null,
  path = 'notes.txt',
  strategy?: 'three-way' | 'ours' | 'theirs',
): MergeResult {
  return merge({
    path,
    base: bytes(base),
    ours: bytes(ours),
    theirs: bytes(theirs),
    ...(strategy ? { strategy } : {}),
  });
}

describe('merge: whole-file cases', () => {
  it('keeps the file when no side changed it', () => {
    const result = mergeTexts('a\n', 'a\n', 'a\n');
    expect(result).toMatchObject({ status: 'clean', type: 'text', resolved: [] });
    expect(text(result.content)).toBe('a\n');
  });

  it('takes theirs when only theirs changed it, and ours when only ours did', () => {
    expect(text(mergeTexts('a\n', 'a\n', 'b\n').content)).toBe('b\n');
    expect(text(mergeTexts('a\n', 'b\n', 'a\n').content)).toBe('b\n');
  });

  it('takes a whole rewrite from one side even when no line survives', () => {
    expect(text(mergeTexts('a\nb\nc\n', 'a\nb\nc\n', 'x\r\ny').content)).toBe('x\r\ny');
  });

  it('is clean when both sides made the same change', () => {
    const result = mergeTexts('a\n', 'same\n', 'same\n');
    expect(result.status).toBe('clean');
    expect(text(result.content)).toBe('same\n');
  });

  it('deletes the file when one side deleted it and the other left it alone', () => {
    expect(mergeTexts('a\n', null, 'a\n')).toEqual({ status: 'clean', content: null, type: 'text', resolved: [] });
    expect(mergeTexts('a\n', 'a\n', null)).toEqual({ status: 'clean', content: null, type: 'text', resolved: [] });
  });

  it('is clean and deleted when both sides deleted the file', () => {
    expect(mergeTexts('a\n', null, null)).toEqual({ status: 'clean', content: null, type: 'text', resolved: [] });
  });

  it('takes a file only one side added', () => {
    expect(text(mergeTexts(null, 'new\n', null).content)).toBe('new\n');
    expect(text(mergeTexts(null, null, 'new\n').content)).toBe('new\n');
  });

  it('is clean when both sides added the same file', () => {
    const result = mergeTexts(null, 'x\ny\n', 'x\ny\n');
    expect(result.status).toBe('clean');
    expect(text(result.content)).toBe('x\ny\n');
  });

  it('merges a file both sides added differently against an empty base, as add-add', () => {
    const result = mergeTexts(null, 'x\ny\nz\n', 'x\nY\nz\n');
    expect(result).toMatchObject({
      status: 'conflict',
      kind: 'add-add',
      type: 'text',
      hunks: [{ ours: 'y\n', base: null, theirs: 'Y\n' }],
    });
    expect(text(result.content)).toBe('x\n<<<<<<< ours\ny\n||||||| base\n=======\nY\n>>>>>>> theirs\nz\n');
  });

  it('reports modify/delete when ours deleted what theirs changed, and the other way round', () => {
    expect(mergeTexts('a\n', null, 'b\n')).toEqual({
      status: 'conflict',
      kind: 'modify-delete',
      type: 'text',
      hunks: [{ ours: null, base: 'a\n', theirs: 'b\n' }],
      keyPaths: null,
      content: null,
    });
    expect(mergeTexts('a\n', 'b\n', null)).toMatchObject({
      status: 'conflict',
      kind: 'modify-delete',
      hunks: [{ ours: 'b\n', base: 'a\n', theirs: null }],
    });
  });

  it('resolves modify/delete to the strategy side, deleting when that side deleted', () => {
    const ours = mergeTexts('a\n', null, 'b\n', 'notes.txt', 'ours');
    expect(ours).toEqual({
      status: 'clean',
      content: null,
      type: 'text',
      resolved: [
        { kind: 'modify-delete', side: 'ours', hunk: { ours: null, base: 'a\n', theirs: 'b\n' }, keyPath: null },
      ],
    });
    const theirs = mergeTexts('a\n', null, 'b\n', 'notes.txt', 'theirs');
    expect(text(theirs.content)).toBe('b\n');
    expect(theirs).toMatchObject({ status: 'clean', resolved: [{ kind: 'modify-delete', side: 'theirs' }] });
  });

  it('reports json as the type of a clean whole-file JSON merge', () => {
    expect(mergeTexts('{"a":1}', '{"a":1}', '{"a":2}', 'x.json').type).toBe('json');
    expect(mergeTexts('[1]', '[1]', '[2]', 'x.json').type).toBe('text');
  });
});
