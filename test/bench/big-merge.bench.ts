// Big files (issue 19, item 6): the time of one merge of a ~100 KB and a
// ~1 MB JavaScript file, and of a ~1 MB lockfile through the JSON merge, troupe's merge() against one `git merge-file -p`
// process per file, on the same files in the same run. The files are slices
// of a real one (test/merge/big-files.ts) edited on both sides, at places of
// their own or close to each other's. Each file is merged by each side after
// a warm-up, the two alternated so that the machine's load hits both alike.
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { merge } from '../../src/merge/index.js';
import { GIT_ENV, tempDir } from '../helpers/temp.js';
import { bigJsonTriple, bigTriple, type BigShape, type BigTriple } from '../merge/big-files.js';
import { median } from './measure.js';

/** One big file of the benchmark and its figures, in milliseconds. */
export interface BigFileFigures {
  name: string;
  bytes: number;
  lines: number;
  /** Hunks each side made, and whether they are apart or close together. */
  hunks: number;
  layout: BigShape['layout'];
  troupeMedian: number;
  troupeP99: number;
  gitMedian: number;
  gitP99: number;
  /** Conflicts in troupe's answer (0: clean) and whether git also conflicted. */
  conflicts: number;
  gitClean: boolean;
  /** troupe's merged bytes are git's (`--diff3`, same labels), markers included. */
  sameAsGit: boolean;
}

/** The figures of one size class. */
export interface BigSizeFigures {
  label: string;
  targetMs: number;
  files: BigFileFigures[];
  /** The slowest file's median: the figure the target is for (a file's time, its noise left out). */
  troupeSlowestFile: number;
  gitSlowestFile: number;
  /** Over every timed merge of every file of the size, noise of the machine included. */
  troupeMedian: number;
  troupeP99: number;
  gitMedian: number;
  gitP99: number;
}

// slices of typescript.js (200k lines): different places, hunk counts and layouts
const SIZES: {
  label: string;
  bytes: number;
  targetMs: number;
  runs: number;
  shapes: Omit<BigShape, 'bytes'>[];
  json?: boolean;
}[] = [
  {
    label: '100 KB',
    bytes: 100_000,
    targetMs: 20,
    runs: 40,
    shapes: [
      { from: 1_000, hunks: 10, layout: 'apart', seed: 11 },
      { from: 60_000, hunks: 20, layout: 'apart', seed: 12 },
      { from: 120_000, hunks: 30, layout: 'apart', seed: 13 },
      { from: 170_000, hunks: 20, layout: 'close', seed: 14 },
    ],
  },
  {
    label: '1 MB',
    bytes: 1_000_000,
    targetMs: 200,
    runs: 15,
    shapes: [
      { from: 0, hunks: 10, layout: 'apart', seed: 21 },
      { from: 60_000, hunks: 20, layout: 'apart', seed: 22 },
      { from: 120_000, hunks: 30, layout: 'apart', seed: 23 },
      { from: 150_000, hunks: 30, layout: 'close', seed: 24 },
    ],
  },
  {
    // a lockfile both branches installed into: the structural JSON merge, not the line merge
    label: '1 MB JSON',
    bytes: 1_000_000,
    targetMs: 200,
    runs: 15,
    json: true,
    shapes: [
      { hunks: 10, layout: 'apart', seed: 31 },
      { hunks: 30, layout: 'apart', seed: 32 },
    ],
  },
];

/** The 99th percentile (nearest rank). */
export function percentile99(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)] ?? Number.NaN;
}

/**
 * Merge each big file with troupe and with git, `runs` times each after a
 * warm-up, and report medians and 99th percentiles per file and per size.
 *
 * @example
 * for (const size of await runBigMergeBench()) console.log(size.label, size.troupeP99, size.gitP99);
 */
export async function runBigMergeBench(options: { runs?: number } = {}): Promise<BigSizeFigures[]> {
  const encoder = new TextEncoder();
  const temp = await tempDir('troupe-big-merge-bench-');
  try {
    const sizes: BigSizeFigures[] = [];
    for (const size of SIZES) {
      const runs = options.runs ?? size.runs;
      const files: BigFileFigures[] = [];
      const [troupeAll, gitAll]: [number[], number[]] = [[], []];
      for (const [index, shape] of size.shapes.entries()) {
        const name = `${size.label} #${index + 1}`;
        const triple: BigTriple = size.json
          ? bigJsonTriple(name, { bytes: size.bytes, edits: shape.hunks, seed: shape.seed })
          : bigTriple(name, { bytes: size.bytes, ...shape });
        const input = {
          path: size.json ? 'package-lock.json' : 'big.js',
          base: encoder.encode(triple.base),
          ours: encoder.encode(triple.ours),
          theirs: encoder.encode(triple.theirs),
        };
        const dir = join(temp.dir, `${size.json ? 'json-' : ''}${size.bytes}-${index}`);
        await mkdir(dir);
        await Promise.all([
          writeFile(join(dir, 'base'), input.base),
          writeFile(join(dir, 'ours'), input.ours),
          writeFile(join(dir, 'theirs'), input.theirs),
        ]);
        const mergeFile = () =>
          spawnSync(
            'git',
            ['merge-file', '-p', '--diff3', '-L', 'ours', '-L', 'base', '-L', 'theirs', 'ours', 'base', 'theirs'],
            { cwd: dir, env: GIT_ENV, maxBuffer: 64 << 20 },
          );

        const git = mergeFile();
        let result = merge(input);
        for (let warm = 0; warm < 3; warm++) result = merge(input);
        const [troupeMs, gitMs]: [number[], number[]] = [[], []];
        for (let run = 0; run < runs; run++) {
          let started = performance.now();
          merge(input);
          troupeMs.push(performance.now() - started);
          started = performance.now();
          mergeFile();
          gitMs.push(performance.now() - started);
        }
        troupeAll.push(...troupeMs);
        gitAll.push(...gitMs);
        files.push({
          name: triple.name,
          bytes: input.base.length,
          lines: triple.base.split('\n').length - 1,
          hunks: triple.hunks,
          layout: shape.layout,
          troupeMedian: median(troupeMs),
          troupeP99: percentile99(troupeMs),
          gitMedian: median(gitMs),
          gitP99: percentile99(gitMs),
          conflicts: result.status === 'conflict' ? result.hunks.length : 0,
          gitClean: git.status === 0,
          sameAsGit: result.content !== null && Buffer.from(result.content).equals(git.stdout),
        });
      }
      sizes.push({
        label: size.label,
        targetMs: size.targetMs,
        files,
        troupeSlowestFile: Math.max(...files.map((file) => file.troupeMedian)),
        gitSlowestFile: Math.max(...files.map((file) => file.gitMedian)),
        troupeMedian: median(troupeAll),
        troupeP99: percentile99(troupeAll),
        gitMedian: median(gitAll),
        gitP99: percentile99(gitAll),
      });
    }
    return sizes;
  } finally {
    await temp.cleanup();
  }
}
