import { describe, expect, it } from 'vitest';
import { compileGlob, compileGlobs, globProblem, TroupeError } from '../../src/domain/index.js';

const matches = (glob: string, path: string) => compileGlob(glob)(path);

describe('glob matching', () => {
  it.each([
    // literals, ? and *
    ['README.md', 'README.md', true],
    ['README.md', 'readme.md', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['a?c', 'ac', false],
    ['*.ts', 'a.ts', true],
    ['*.ts', '.ts', true],
    ['*.ts', 'src/a.ts', false],
    ['src/*', 'src/a.ts', true],
    ['src/*', 'src', false],
    ['src/*', 'src/a/b.ts', false],
    ['a*', 'a', true],
    ['*a*b*', 'xaybz', true],
    // dotfiles: dot is true
    ['*', '.env', true],
    ['src/*', 'src/.env', true],
    ['src/**', 'src/.config/x', true],
    ['?env', '.env', true],
    // ** as a whole segment
    ['src/**', 'src', true],
    ['src/**', 'src/a/b', true],
    ['src/**', 'srcx', false],
    ['src/**', 'other/src/a', false],
    ['**/b', 'b', true],
    ['**/b', 'x/y/b', true],
    ['**/b', 'xb', false],
    ['a/**/b', 'a/b', true],
    ['a/**/b', 'a/x/y/b', true],
    ['a/**/b', 'a/xb', false],
    ['a/**/**/b', 'a/b', true],
    ['**', 'anything/at/all', true],
    ['**/**', 'a', true],
    ['**/*.ts', 'src/deep/a.ts', true],
    ['**/*.ts', 'a.ts', true],
    // ** inside a segment is *
    ['a**b', 'axxb', true],
    ['a**b', 'ax/xb', false],
    ['**b', 'x/b', false],
    ['a/***', 'a/b', true],
    ['a/***', 'a/b/c', false],
    // classes
    ['[abc].ts', 'b.ts', true],
    ['[abc].ts', 'd.ts', false],
    ['file[0-9]', 'file7', true],
    ['file[0-9]', 'filex', false],
    ['[!a]x', 'bx', true],
    ['[!a]x', 'ax', false],
    ['[^a]x', 'bx', true],
    ['[!a]', 'a', false],
    ['[!b]', 'a', true],
    ['a[!x]b', 'a/b', false],
    ['a[/]b', 'a/b', false],
    ['x[]a]', 'x]', true],
    ['x[a-]', 'x-', true],
    ['x[\\]]', 'x]', true],
    ['x[', 'x[', true],
    ['x[]', 'x[]', true],
    ['x[[:digit:]]', 'x5', true],
    ['x[[:digit:]]', 'xa', false],
    ['x[[:alpha:]]', 'xQ', true],
    ['x[[:alnum:]]', 'x9', true],
    ['x[[:upper:]]', 'xq', false],
    ['x[[:lower:]]', 'xq', true],
    ['x[[:space:]]', 'x ', true],
    ['x[[:xdigit:]]', 'xF', true],
    ['x[[:xdigit:]]', 'xg', false],
    ['x[[:punct:]]', 'x!', true],
    ['x[[:punct:]]', 'x/', false],
    ['x[[:word:]]', 'x_', true],
    ['x[^[:digit:]]', 'xa', true],
    ['x[()|]', 'x|', true],
    // braces and ranges
    ['*.{ts,tsx}', 'a.tsx', true],
    ['*.{ts,tsx}', 'a.js', false],
    ['{src,test}/**', 'test/a/b.ts', true],
    ['x{a,{b,c}}y', 'xcy', true],
    ['x{,a}', 'x', true],
    ['x{a}', 'x{a}', true],
    ['x{a}', 'xa', false],
    ['x{}', 'x{}', true],
    ['x}', 'x}', true],
    ['x{a\\,b}', 'x{a,b}', true],
    ['x{[a,b],c}', 'x,', true],
    ['part{1..3}', 'part2', true],
    ['part{1..3}', 'part4', false],
    ['part{1..10}', 'part10', true],
    ['part{3..1}', 'part2', true],
    ['part{01..10}', 'part07', true],
    ['part{01..10}', 'part7', false],
    ['n{-1..1}', 'n0', true],
    ['{a..c}.md', 'b.md', true],
    ['{a..c}.md', 'd.md', false],
    ['{Z..a}', '_', true],
    ['{a,b}/**', 'a', true],
    ['a/{**,x}/b', 'a/b', true],
    // escapes
    ['a\\*', 'a*', true],
    ['a\\*', 'ab', false],
    ['\\!important', '!important', true],
    ['\\(a\\)', '(a)', true],
    ['a\\?', 'a?', true],
    ['\\*\\*/a', '**/a', true],
    ['\\*\\*/a', 'b/a', false],
    // a leading ./ is dropped
    ['./src/**', 'src/a.ts', true],
    ['././src/*', 'src/a.ts', true],
    // other punctuation is literal
    ['a+b@c$d^e.f~g!h', 'a+b@c$d^e.f~g!h', true],
    ['a.b', 'axb', false],
    // unicode: one character is one code point
    ['?', '😀', true],
    ['ü/*', 'ü/ñ.txt', true],
    ['x[ä-ü]', 'xö', true],
    // where picomatch answers oddly, the plain reading
    ['c++', 'c++', true],
    ['c++', 'c+++', false],
    ['a$$', 'a$$', true],
    ['a*/**', 'ab', true],
    ['*.*', 'a.', true],
    ['**{1..3}', 'a/2', false],
    ['**{1..3}', 'a2', true],
    ['x[^[:word:]]y', 'x/y', false],
    // what a normalized path never has
    ['src/', 'src', false],
    ['a//b', 'a/b', false],
    ['**', '', false],
  ])('%s against %s: %s', (glob, path, expected) => {
    expect(matches(glob, path)).toBe(expected);
  });

  it('matches a list when any glob matches, and nothing for an empty list', () => {
    const inScope = compileGlobs(['src/**', 'docs/*.md']);
    expect(inScope('docs/a.md')).toBe(true);
    expect(inScope('docs/a/b.md')).toBe(false);
    expect(compileGlobs([])('a')).toBe(false);
  });

  it('lets a refused glob in a list match nothing when asked to, and throws otherwise', () => {
    expect(compileGlobs(['(a+)+b', 'src/**'], { refused: 'match-nothing' })('aab')).toBe(false);
    expect(compileGlobs(['(a+)+b', 'src/**'], { refused: 'match-nothing' })('src/x')).toBe(true);
    expect(() => compileGlobs(['(a+)+b'])).toThrow(TroupeError);
  });

  it('throws VALIDATION_ERROR naming the glob and the problem for a refused glob', () => {
    expect(() => compileGlob('+(a|b)')).toThrow(
      expect.objectContaining({
        code: 'VALIDATION_ERROR',
        message: expect.stringContaining('glob "+(a|b)" is refused: the extglob "+(…)"'),
      }),
    );
  });
});

describe('refused globs', () => {
  it.each([
    ['(a+)+b', 'parentheses (regular-expression groups) are not supported'],
    ['src/(a|b)/**', 'parentheses (regular-expression groups) are not supported'],
    ['a)', 'parentheses (regular-expression groups) are not supported'],
    ['@(a|b)', 'the extglob "@(…)" is not supported'],
    ['!(a|b)', 'the extglob "!(…)" is not supported'],
    ['+(a|b)', 'the extglob "+(…)" is not supported'],
    ['x*(a|b)', 'the extglob "*(…)" is not supported'],
    ['x?(a|b)', 'the extglob "?(…)" is not supported'],
    ['a|b', '"|" is not glob syntax'],
    ['{a|b}', '"|" is not glob syntax'],
    ['!src/**', 'a leading "!" (negation) is not supported'],
    ['./!src/**', 'a leading "!" (negation) is not supported'],
    ['src\\d', '"\\d" is a regular-expression escape, not glob syntax'],
    ['x[\\w]', '"\\w" is a regular-expression escape, not glob syntax'],
    ['a\\', 'ends with a lone "\\"'],
    ['x{a,b', 'a "{" is never closed'],
    ['x{a,b\\}', 'a "{" is never closed'],
    ['x{a..}', '"{a..}" is not a range'],
    ['x{1..9..2}', '"{1..9..2}" is not a range'],
    ['x{1..c}', '"{1..c}" is not a range'],
    ['x[z-a]', 'the range "z-a" in a character class is reversed: write "a-z"'],
    ['x[[:foo:]]', '"[:foo:]" is not a known character class'],
    ['x[a-[:digit:]]', 'a "-" between a POSIX class and another member of a character class is not a range'],
    ['[ab]+', 'a "+" right after a character class or a brace is a regular-expression repetition'],
    ['{a,aa}+b', 'a "+" right after a character class or a brace is a regular-expression repetition'],
    ['"a*"', 'double quotes are not supported'],
    ['x{a,b..c}', '".." inside braces is allowed only as a range'],
    ['x{1..1000}', '"{1..1000}" expands to more than 256 alternatives'],
    ['{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}', 'braces expand to more than 256 alternatives'],
    [`{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}${'x'.repeat(40)}`, 'is longer than 4096 characters once braces are expanded'],
    ['{'.repeat(40) + '}'.repeat(40), 'braces are nested more than 32 deep'],
    ['', 'must not be empty'],
    ['./', 'must name something after "./"'],
    ['x'.repeat(4097), 'must be at most 4096 characters'],
  ])('refuses %s', (glob, message) => {
    expect(globProblem(glob)).toContain(message);
  });

  it('accepts what it can match', () => {
    for (const glob of [
      'src/**',
      '**/*.{ts,tsx}',
      'a\\(b\\)',
      'x[()|]',
      'a!b',
      '{!a,b}',
      'part{01..10}',
      '[[:digit:]]*',
      'c++',
      '[a-z]\\+',
      'x["]',
      '{a,b}.x',
      '[[:digit:]-]',
    ])
      expect(globProblem(glob)).toBeNull();
  });
});
