import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeText, merge } from '../../src/merge/index.js';
import { describeBinary } from '../../src/merge/binary.js';
import { bytes } from './bytes.js';

const png = (...tail: number[]) => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, ...tail]);

describe('decodeText: binary detection', () => {
  it('calls bytes with a NUL in the first 8,000 bytes binary, as git does', () => {
    expect(decodeText(png(1, 2))).toBeNull();
    const late = new Uint8Array(9000).fill(0x61);
    late[8500] = 0;
    expect(decodeText(late)).not.toBeNull();
    late[7999] = 0;
    expect(decodeText(late)).toBeNull();
  });

  it('calls invalid UTF-8 binary', () => {
    expect(decodeText(new Uint8Array([0x61, 0xff, 0x62]))).toBeNull();
    expect(decodeText(new Uint8Array([0xc3]))).toBeNull();
    expect(decodeText(new Uint8Array([0xc3, 0xa9]))).toBe('é');
  });
});

describe('merge: binary', () => {
  it('takes the side that changed a binary file', () => {
    expect(merge({ path: 'logo.png', base: png(1), ours: png(2), theirs: png(1) })).toEqual({
      status: 'clean',
      content: png(2),
      type: 'binary',
      resolved: [],
    });
    expect(merge({ path: 'logo.png', base: png(1), ours: png(1), theirs: png(3) })).toMatchObject({
      status: 'clean',
      content: png(3),
    });
  });

  it('is clean when both sides changed a binary file alike', () => {
    expect(merge({ path: 'logo.png', base: png(1), ours: png(4), theirs: png(4) })).toMatchObject({
      status: 'clean',
      content: png(4),
    });
  });

  it('reports a binary conflict with one hunk describing each side when both changed it differently', () => {
    const result = merge({ path: 'logo.png', base: png(1), ours: png(2), theirs: png(3) });
    expect(result).toEqual({
      status: 'conflict',
      kind: 'binary',
      type: 'binary',
      hunks: [{ ours: describeBinary(png(2)), base: describeBinary(png(1)), theirs: describeBinary(png(3)) }],
      keyPaths: null,
      content: null,
    });
    expect(describeBinary(png(2))).toMatch(/^binary, 10 bytes, blob [0-9a-f]{40}$/);
  });

  it('names each side by the object id git gives the same bytes', () => {
    const content = png(7, 8, 9);
    const id = execFileSync('git', ['hash-object', '--stdin'], { input: content, encoding: 'utf8' }).trim();
    expect(describeBinary(content)).toBe(`binary, ${content.length} bytes, blob ${id}`);
  });

  it('reports a file both sides added as different binaries as a binary conflict with no base', () => {
    expect(merge({ path: 'logo.png', base: null, ours: png(2), theirs: png(3) })).toMatchObject({
      status: 'conflict',
      kind: 'binary',
      hunks: [{ base: null }],
    });
  });

  it('treats a file that became binary on one side and changed as text on the other as binary', () => {
    expect(merge({ path: 'data.txt', base: bytes('a\n'), ours: png(1), theirs: bytes('b\n') })).toMatchObject({
      status: 'conflict',
      kind: 'binary',
      type: 'binary',
      hunks: [
        { ours: describeBinary(png(1)), base: describeBinary(bytes('a\n')), theirs: describeBinary(bytes('b\n')) },
      ],
    });
  });

  it('reports modify/delete of a binary file, the changed side described', () => {
    expect(merge({ path: 'logo.png', base: png(1), ours: null, theirs: png(2) })).toMatchObject({
      status: 'conflict',
      kind: 'modify-delete',
      type: 'binary',
      hunks: [{ ours: null, base: describeBinary(png(1)), theirs: describeBinary(png(2)) }],
      content: null,
    });
  });

  it('resolves a binary conflict to the strategy side and reports it', () => {
    const result = merge({ path: 'logo.png', base: png(1), ours: png(2), theirs: png(3), strategy: 'theirs' });
    expect(result).toMatchObject({
      status: 'clean',
      content: png(3),
      type: 'binary',
      resolved: [{ kind: 'binary', side: 'theirs', keyPath: null }],
    });
    expect(merge({ path: 'logo.png', base: png(1), ours: png(2), theirs: png(3), strategy: 'ours' })).toMatchObject({
      status: 'clean',
      content: png(2),
    });
  });
});
