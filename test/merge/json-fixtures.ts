import { merge, type MergeResult } from '../../src/merge/index.js';
import { bytes } from './bytes.js';

// A merge of package.json (or `path`) texts, and a JSON document as a text.

export function mergeJsonTexts(
  base: string | null,
  ours: string,
  theirs: string,
  strategy?: 'ours' | 'theirs',
  path = 'package.json',
): MergeResult {
  return merge({
    path,
    base: bytes(base),
    ours: bytes(ours),
    theirs: bytes(theirs),
    ...(strategy ? { strategy } : {}),
  });
}

export const json = (value: unknown, indent: string | number = 2) => `${JSON.stringify(value, null, indent)}\n`;
