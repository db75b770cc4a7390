// The merge figures: the merge engine's rate on many small files, and one big file's merge, each against git merge-file -p.
import { runBigMergeBench } from './big-merge.bench.js';
import { formatNumber, formatRatio, table } from './measure.js';
import { runMergeBench } from './merge.bench.js';
import { log, orReport, verdict } from './report.js';

/** Prints the merge engine's files/s against git's, then the big files' table and a line per size class. */
export async function runMergeSection(): Promise<void> {
  // the merge engine against one `git merge-file -p` process per file
  await orReport('merge engine', async () => {
    const m = await runMergeBench({ files: 300 });
    log();
    log(
      `merge engine: ${formatNumber(m.engineFilesPerSecond)} files/s, git merge-file -p (one process per file): ${formatNumber(m.gitFilesPerSecond)} files/s, ` +
        `${formatRatio(m.engineFilesPerSecond / m.gitFilesPerSecond)} git's rate, on ${m.files} generated text triples ` +
        `(both clean: ${m.bothClean}, byte-identical: ${m.identical})`,
    );
  });
  // issue 19: one big file's merge, troupe against one `git merge-file -p` process, same files
  await orReport('big files', async () => {
    const sizes = await runBigMergeBench();
    log();
    log(
      'big files: one merge of a slice of typescript.js (and of a lockfile, JSON merge) edited on both sides, troupe merge() against git merge-file -p (one process per file, spawn included), ms',
    );
    log(
      table(
        [
          'file',
          'bytes',
          'hunks/side',
          'troupe median',
          'troupe p99',
          'git median',
          'git p99',
          'answer',
          'same bytes as git',
        ],
        sizes.flatMap((size) =>
          size.files.map((file) => [
            file.name,
            formatNumber(file.bytes),
            `${file.hunks} ${file.layout}`,
            formatNumber(file.troupeMedian),
            formatNumber(file.troupeP99),
            formatNumber(file.gitMedian),
            formatNumber(file.gitP99),
            file.conflicts === 0 ? 'clean' : `${file.conflicts} conflicts`,
            `${file.sameAsGit ? 'yes' : 'no'}${file.gitClean === (file.conflicts === 0) ? '' : ' (git disagrees on conflicts)'}`,
          ]),
        ),
      ),
    );
    for (const size of sizes) {
      log(
        `big files, ${size.label}: troupe ${formatNumber(size.troupeSlowestFile)} ms for the slowest of ${size.files.length} files (its median), ` +
          `git merge-file -p ${formatNumber(size.gitSlowestFile)} ms; over all runs troupe median ${formatNumber(size.troupeMedian)} / p99 ${formatNumber(size.troupeP99)} ms, ` +
          `git ${formatNumber(size.gitMedian)} / ${formatNumber(size.gitP99)} ms (≤ ${size.targetMs} ms per file: ${verdict(size.troupeSlowestFile <= size.targetMs)})`,
      );
    }
  });
}
