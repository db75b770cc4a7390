// The merge engine against git: files per second through `merge()` versus
// spawning `git merge-file -p` once per file, on the same generated text
// triples (test/merge/corpus.ts). The inputs are on disk before git's clock
// starts, and in memory before the engine's, so each side is timed on the
// merge alone (for git, with the process spawn a caller would pay).
import { spawnSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { merge } from '../../src/merge/index.js';
import { GIT_ENV, tempDir } from '../helpers/temp.js';
import { generateTriples } from '../merge/corpus.js';

/** What a merge benchmark run is given. */
export interface MergeBenchOptions {
  /** Generated text triples, the same for both sides. */
  files?: number;
  /** Milliseconds the engine keeps repeating the corpus, for a steadier figure. */
  engineMs?: number;
}

/** Figures of one run. */
export interface MergeFigures {
  files: number;
  /** Triples both merged cleanly, and of those how many byte-identically. */
  bothClean: number;
  identical: number;
  engineFilesPerSecond: number;
  gitFilesPerSecond: number;
}

/**
 * Merge the same triples with the engine and with one `git merge-file -p`
 * per triple, and report files per second for each.
 *
 * @example
 * const figures = await runMergeBench({ files: 300 });
 * console.log(figures.engineFilesPerSecond / figures.gitFilesPerSecond);
 */
export async function runMergeBench(options: MergeBenchOptions = {}): Promise<MergeFigures> {
  const files = options.files ?? 300;
  const engineMs = options.engineMs ?? 1_500;
  const encoder = new TextEncoder();
  const triples = generateTriples(files, 8_675_309).map((triple) => ({
    base: encoder.encode(triple.base),
    ours: encoder.encode(triple.ours),
    theirs: encoder.encode(triple.theirs),
  }));

  const temp = await tempDir('troupe-merge-bench-');
  try {
    const dirs: string[] = [];
    for (const [index, triple] of triples.entries()) {
      const dir = join(temp.dir, String(index));
      await mkdir(dir);
      await Promise.all([
        writeFile(join(dir, 'base'), triple.base),
        writeFile(join(dir, 'ours'), triple.ours),
        writeFile(join(dir, 'theirs'), triple.theirs),
      ]);
      dirs.push(dir);
    }

    const gitStarted = performance.now();
    const gitOutputs = dirs.map((dir) =>
      spawnSync('git', ['merge-file', '-p', 'ours', 'base', 'theirs'], { cwd: dir, env: GIT_ENV }),
    );
    const gitMs = performance.now() - gitStarted;

    // warm up, then repeat the corpus for at least engineMs
    const results = triples.map((triple) => merge({ path: 'file.txt', ...triple }));
    let merged = 0;
    const engineStarted = performance.now();
    while (merged === 0 || performance.now() - engineStarted < engineMs) {
      for (const triple of triples) merge({ path: 'file.txt', ...triple });
      merged += triples.length;
    }
    const engineElapsed = performance.now() - engineStarted;

    let bothClean = 0;
    let identical = 0;
    results.forEach((result, index) => {
      const git = gitOutputs[index]!;
      if (result.status !== 'clean' || git.status !== 0) return;
      bothClean++;
      if (result.content !== null && Buffer.from(result.content).equals(git.stdout)) identical++;
    });
    return {
      files,
      bothClean,
      identical,
      engineFilesPerSecond: (merged * 1000) / engineElapsed,
      gitFilesPerSecond: (files * 1000) / gitMs,
    };
  } finally {
    await temp.cleanup();
  }
}
