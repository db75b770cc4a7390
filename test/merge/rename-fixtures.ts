// Small excerpts of the rename cases met in real histories, as fixtures of
// three file maps: shared by the tree-merge tests and the agreement test
// with `git merge-tree`.
import type { FixtureTree } from './merge-tree-reference.js';

const lines = (count: number, line: (n: number) => string) =>
  Array.from({ length: count }, (_, at) => line(at + 1)).join('\n') + '\n';

/** A 16-line module; {@link renamedUtil} keeps 9 of its lines: git scores the pair 54 % similar. */
export const UTIL = lines(16, (n) => `export function line${n}() { return ${n}; }`);

/** {@link UTIL} with its last 7 lines rewritten, as a rename that also reworks the file. */
export const renamedUtil = (source = UTIL): string =>
  source
    .split('\n')
    .map((line, at) => (at >= 9 && at < 16 ? `export const renamed${at} = () => ${at} * 2;` : line))
    .join('\n');

/** {@link UTIL} with line 2 edited, as the side that did not rename it. */
export const editedUtil = (source = UTIL): string =>
  source.replace('line2() { return 2; }', "line2() { return 'two'; }");

const NOTES = lines(10, (n) => `note ${n}`);
const CONFIG = '{\n  "name": "x",\n  "port": 1,\n  "host": "localhost",\n  "user": "me",\n  "debug": false\n}\n';

/** A named fixture: base, ours, theirs. */
export interface RenameCase {
  name: string;
  base: FixtureTree;
  ours: FixtureTree;
  theirs: FixtureTree;
}

/** Cases git merges cleanly, and troupe must merge to the same tree. */
export const CLEAN_RENAME_CASES: RenameCase[] = [
  {
    name: 'ours renamed a file (54 % similar) that theirs edited',
    base: { 'src/util.js': UTIL, 'README.md': 'readme\n' },
    ours: { 'src/helpers.js': renamedUtil(), 'README.md': 'readme\n' },
    theirs: { 'src/util.js': editedUtil(), 'README.md': 'readme\n' },
  },
  {
    name: 'theirs renamed a file (54 % similar) that ours edited',
    base: { 'src/util.js': UTIL },
    ours: { 'src/util.js': editedUtil() },
    theirs: { 'src/helpers.js': renamedUtil() },
  },
  {
    name: 'theirs moved a file to another folder, ours edited it',
    base: { 'lib/notes.txt': NOTES, 'lib/keep.txt': 'keep\n' },
    ours: { 'lib/notes.txt': NOTES.replace('note 2\n', 'note two\n'), 'lib/keep.txt': 'keep\n' },
    theirs: { 'docs/notes.txt': NOTES.replace('note 9\n', 'note nine\n'), 'lib/keep.txt': 'keep\n' },
  },
  {
    name: 'both renamed a file to the same path and edited it apart',
    base: { 'a.txt': NOTES },
    ours: { 'b.txt': NOTES.replace('note 2\n', 'note two\n') },
    theirs: { 'b.txt': NOTES.replace('note 9\n', 'note nine\n') },
  },
  {
    name: 'theirs renamed a file ours left alone',
    base: { 'a.txt': NOTES, 'other.txt': 'x\n' },
    ours: { 'a.txt': NOTES, 'other.txt': 'x ours\n' },
    theirs: { 'b.txt': NOTES, 'other.txt': 'x\n' },
  },
  {
    name: 'ours renamed a file theirs left alone',
    base: { 'a.txt': NOTES, 'other.txt': 'x\n' },
    ours: { 'b.txt': NOTES.replace('note 1\n', 'note one\n'), 'other.txt': 'x\n' },
    theirs: { 'a.txt': NOTES, 'other.txt': 'x theirs\n' },
  },
  {
    name: 'theirs renamed an executable script that ours edited',
    base: { 'run.sh': { content: NOTES, mode: '100755' } },
    ours: { 'run.sh': { content: NOTES.replace('note 2\n', 'note two\n'), mode: '100755' } },
    theirs: { 'bin/run.sh': { content: NOTES, mode: '100755' } },
  },
  {
    name: 'ours renamed a JSON file that theirs edited',
    base: { 'config.json': CONFIG },
    ours: { 'settings.json': CONFIG.replace('"debug": false', '"debug": true') },
    theirs: { 'config.json': CONFIG.replace('"port": 1', '"port": 2') },
  },
  {
    name: 'ours made a script executable that theirs renamed and edited',
    base: { 'run.sh': NOTES },
    ours: { 'run.sh': { content: NOTES, mode: '100755' } },
    theirs: { 'bin/run.sh': NOTES.replace('note 9\n', 'note nine\n') },
  },
  {
    name: 'ours renamed a file and made it executable, theirs edited it',
    base: { 'a.txt': NOTES },
    ours: { 'b.txt': { content: NOTES.replace('note 1\n', 'note one\n'), mode: '100755' } },
    theirs: { 'a.txt': NOTES.replace('note 9\n', 'note nine\n') },
  },
];

/** Cases git reports as conflicts; troupe must conflict on the same paths. */
export const CONFLICT_RENAME_CASES: RenameCase[] = [
  {
    name: 'both renamed a file to different paths',
    base: { 'a.txt': NOTES, 'same.txt': 's\n' },
    ours: { 'b.txt': NOTES.replace('note 2\n', 'note two\n'), 'same.txt': 's\n' },
    theirs: { 'c.txt': NOTES.replace('note 9\n', 'note nine\n'), 'same.txt': 's ours\n' },
  },
  {
    name: 'ours renamed a file theirs deleted',
    base: { 'a.txt': NOTES, 'z.txt': 'z\n' },
    ours: { 'b.txt': NOTES, 'z.txt': 'z\n' },
    theirs: { 'z.txt': 'z theirs\n' },
  },
  {
    name: 'theirs renamed a file ours deleted',
    base: { 'a.txt': NOTES },
    ours: {},
    theirs: { 'c.txt': NOTES.replace('note 9\n', 'note nine\n') },
  },
  {
    name: 'theirs renamed a file both edited on the same line',
    base: { 'src/util.js': UTIL },
    ours: { 'src/util.js': UTIL.replace('return 2;', 'return 20;') },
    theirs: { 'src/helpers.js': renamedUtil(UTIL.replace('return 2;', 'return 22;')) },
  },
  {
    name: 'ours deleted a script whose only change on theirs was a rename and the executable bit',
    base: { 'run.sh': NOTES, 'keep.txt': 'k\n' },
    ours: { 'keep.txt': 'k\n' },
    theirs: { 'bin/run.sh': { content: NOTES, mode: '100755' }, 'keep.txt': 'k\n' },
  },
];
