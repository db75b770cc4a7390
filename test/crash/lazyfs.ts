import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

// LazyFS (../shared/tools/lazyfs/, MIT, INESC TEC): a FUSE file system that
// keeps every write not yet fsynced in its own cache and drops it on command
// — what a power cut does to a disk. The power-loss tests run troupe on a
// project inside one.

/**
 * The LazyFS binary: `TROUPE_LAZYFS`, or the one the workplace's build script
 * makes (and caches) when it is beside the project; null where there is none
 * or no FUSE to mount it with.
 */
export function findLazyfs(): string | null {
  if (process.platform !== 'linux' || !existsSync('/dev/fuse') || process.getuid?.() !== 0) return null;
  const given = process.env.TROUPE_LAZYFS;
  // named but not there (CI could not build it): the tests fail saying so, rather than pass by skipping
  if (given) {
    if (!existsSync(given))
      throw new Error(
        `TROUPE_LAZYFS names ${given}, which is not there: the power-loss tests need LazyFS (../shared/tools/lazyfs/build.sh)`,
      );
    return given;
  }
  const script = new URL('../../../shared/tools/lazyfs/build.sh', import.meta.url).pathname;
  if (!existsSync(script)) return null;
  try {
    const built =
      execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 600_000 })
        .trim()
        .split('\n')
        .at(-1) ?? '';
    return existsSync(built) ? built : null;
  } catch {
    return null;
  }
}

/** A mounted LazyFS: its mount point, and the power cut. */
export interface PowerLossDisk {
  /** Where to put the files whose writes a cut may lose. */
  readonly dir: string;
  /** The power cut: every write not synced since is gone. */
  cut(): Promise<void>;
  unmount(): Promise<void>;
}

/**
 * Mount LazyFS (`binary`) over a fresh folder; its writes go to another
 * fresh folder, which it keeps in sync only as far as what is written to
 * it is fsynced. `prepare` writes the state a test starts from straight to
 * that folder, before the mount: on the disk for good, as if synced.
 *
 * @example
 * const disk = await mountPowerLossDisk(binary, (root) => makeProject(root));
 * // … run in disk.dir, then:
 * await disk.cut();
 */
export async function mountPowerLossDisk(
  binary: string,
  prepare: (root: string) => Promise<void> | void = () => {},
): Promise<PowerLossDisk> {
  const base = await mkdtemp('/var/tmp/troupe-lazyfs-');
  const [root, dir] = [join(base, 'root'), join(base, 'mnt')];
  await mkdir(root);
  await mkdir(dir);
  await prepare(root);
  const faults = join(base, 'faults.fifo');
  const completed = join(base, 'completed.fifo');
  const config = join(base, 'lazyfs.toml');
  await writeFile(
    config,
    `[faults]\nfifo_path="${faults}"\nfifo_path_completed="${completed}"\n[cache]\napply_eviction=false\n[cache.simple]\ncustom_size="2gb"\nblocks_per_page=1\n[filesystem]\nlog_all_operations=false\nlogfile="${join(base, 'lazyfs.log')}"\n`,
  );
  const fs: ChildProcess = spawn(
    binary,
    [dir, '--config-path', config, '-o', 'allow_other', '-o', 'modules=subdir', '-o', `subdir=${root}`, '-f'],
    { stdio: 'ignore', detached: true },
  );
  for (let waited = 0; !mounted(dir); waited += 50) {
    if (waited > 60_000 || fs.exitCode !== null) throw new Error(`LazyFS did not mount at ${dir}`);
    await sleep(50);
  }
  // `finished::clear-cache` comes back on the other fifo once a cut is carried out: one reader for
  // the mount's life (LazyFS opens its end once, and a reader that left would lose the next answer)
  let answered = 0;
  const waiting: (() => void)[] = [];
  const answers = createReadStream(completed, { encoding: 'utf8' });
  answers.on('data', (chunk) => {
    for (const _ of String(chunk).matchAll(/finished::clear-cache/g)) {
      answered += 1;
      waiting.shift()?.();
    }
  });
  answers.on('error', () => {});
  const command = (text: string): void => writeFileSync(faults, `${text}\n`);
  const cut = async (): Promise<void> => {
    const done = new Promise<void>((resolve) => waiting.push(resolve));
    command('lazyfs::clear-cache');
    await Promise.race([
      done,
      sleep(60_000).then(() =>
        Promise.reject(new Error(`LazyFS did not carry out a cut within 60 s (${answered} before)`)),
      ),
    ]);
  };
  return {
    dir,
    cut,
    async unmount() {
      answers.destroy();
      try {
        execFileSync('fusermount3', ['-u', '-z', dir], { stdio: 'ignore' });
      } catch {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
      }
      fs.kill('SIGKILL');
      await rm(base, { recursive: true, force: true }).catch(() => {});
    },
  };
}

function mounted(dir: string): boolean {
  return readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .some((line) => line.split(' ')[1] === dir);
}
