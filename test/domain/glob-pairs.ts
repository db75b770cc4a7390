import { globProblem } from '../../src/domain/index.js';
import { seededRandom } from '../helpers/random.js';

// The glob/path pairs whose matching cost the tests bound: adversarial globs
// and seeded random ones, all of them accepted as resource scopes.

// adversarial globs of at most 256 characters (a scope's limit) against paths of 4096
export const adversarial: [string, string][] = [
  ['*a'.repeat(128), 'a'.repeat(4096)],
  ['*a'.repeat(127) + 'b', 'a'.repeat(4096)],
  ['*a*a*a*a*a*a*a*a*b', 'a'.repeat(4096)],
  ['**/'.repeat(85) + 'b', 'a/'.repeat(2048) + 'c'],
  ['**/*a'.repeat(51), 'a/'.repeat(2048) + 'a'],
  ['a/**/'.repeat(51) + 'b', 'a/'.repeat(2048) + 'a'],
  ['?'.repeat(256), 'a'.repeat(4096)],
  ['*?'.repeat(128), 'a'.repeat(4096)],
  ['[a-z]*'.repeat(42), 'a'.repeat(4096)],
  ['{a,b}{c,d}{e,f}{g,h}{i,j}{k,l}{m,n}{o,p}' + '*x'.repeat(3), 'a'.repeat(4096)],
  ['{*,?}{*,?}{*,?}{*,?}{*,?}{*,?}{*,?}{*,?}' + '*?'.repeat(3), 'a'.repeat(4096)],
  ['**/{a,b}{c,d}{e,f}{g,h}{1..4}/**/*a*a*a', 'ac/'.repeat(1365) + 'a'],
  [`{${Array.from({ length: 40 }, (_, i) => `*a*${i}`).join(',')}}`, 'a'.repeat(4096)],
  ['**/*' + '[ā-ą]*'.repeat(40), 'ā'.repeat(4096)],
  [
    '*' + '[' + Array.from({ length: 60 }, (_, i) => String.fromCodePoint(0x100 + 4 * i)).join('') + ']',
    Array.from({ length: 4096 }, (_, i) => String.fromCodePoint(0x100 + i)).join(''),
  ],
];

function randomPair(random: () => number): [string, string] {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const parts = ['*', '**', '/', '?', 'a', 'b', '[ab]', '**/', '*a', '\\*', '[^/]'];
  // a few brace groups: more would pass the cap on alternatives
  const groups = ['{a,b}', '{a,*}', '{1..9}', '{*a,b*,?}'];
  let braces = Math.floor(random() * 4);
  let glob = '';
  for (;;) {
    const part = braces > 0 && random() < 0.1 ? (braces--, pick(groups)) : pick(parts);
    if (glob.length + part.length > 256) break;
    glob += part;
  }
  const chars = ['a', 'a', 'b', '/', '*', 'ā'];
  let path = 'a';
  while (path.length < 4096) {
    const char = pick(chars);
    // a normalized path: no empty segment
    if (!(char === '/' && path.endsWith('/'))) path += char;
  }
  return [glob, `${path}a`];
}

/** Every pair measured: the adversarial ones and 40 seeded random ones, those a scope accepts. */
export function costPairs(): [string, string][] {
  const random = seededRandom(20260101);
  return [...adversarial, ...Array.from({ length: 40 }, () => randomPair(random))].filter(
    ([glob]) => globProblem(glob) === null,
  );
}
