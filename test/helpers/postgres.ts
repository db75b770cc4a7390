import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { freePort } from './free-port.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

// PostgreSQL for the tests: the server TROUPE_TEST_DATABASE_URL names, or
// else a throwaway cluster started from the Debian package's binaries and
// stopped when the test file ends. Without either, the PostgreSQL tests skip
// — except under CI=true, where a skipped store would pass unnoticed.

const BIN_DIRS = [
  '/usr/lib/postgresql/17/bin',
  '/usr/lib/postgresql/16/bin',
  '/usr/lib/postgresql/15/bin',
  '/usr/lib/postgresql/14/bin',
];

/** A PostgreSQL server the tests may use. */
export interface TestPostgres {
  url: string;
  /** A fresh schema name for one store (each test gets its own namespace). */
  schema(): string;
  /** Drop a schema and everything in it. */
  dropSchema(schema: string): Promise<void>;
  /**
   * Take the server away (`pg_ctl stop -m immediate`, every connection cut)
   * and give back a function that starts it again on the same port and data.
   * Only for the throwaway cluster (not TROUPE_TEST_DATABASE_URL).
   */
  outage(): Promise<() => Promise<void>>;
  stop(): Promise<void>;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailable(): string | null {
  if (process.env['TROUPE_TEST_DATABASE_URL']) return null;
  if (binDir()) return null;
  const reason = 'no TROUPE_TEST_DATABASE_URL and no PostgreSQL binaries (apt-get install postgresql)';
  if (process.env['CI'] === 'true') throw new Error(`PostgreSQL tests cannot run under CI: ${reason}`);
  return reason;
}

function binDir(): string | null {
  return BIN_DIRS.find((dir) => existsSync(join(dir, 'pg_ctl'))) ?? null;
}

let counter = 0;

/** Start (or connect to) the test server; call `stop` after the file's tests. */
export async function startTestPostgres(): Promise<TestPostgres> {
  const given = process.env['TROUPE_TEST_DATABASE_URL'];
  const cluster = given ? null : await startCluster();
  const url = given ?? cluster!.url;
  const admin = new pg.Pool({ connectionString: url, max: 1 });
  admin.on('error', () => {});
  return {
    url,
    schema: () => `troupe_test_${process.pid}_${Date.now().toString(36)}_${++counter}`,
    dropSchema: async (schema) => {
      await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
    outage: async () => {
      if (!cluster) throw new Error('an outage needs the throwaway cluster, not TROUPE_TEST_DATABASE_URL');
      await cluster.halt();
      return () => cluster.resume();
    },
    stop: async () => {
      await admin.end();
      await cluster?.stop();
    },
  };
}

// PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user
function asServerUser(command: string, args: string[]): string[] {
  const root = process.getuid?.() === 0;
  return root ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args];
}

function run(argv: string[]): void {
  const result = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${argv.join(' ')} failed: ${result.stderr || result.stdout}`);
}

async function startCluster(): Promise<{
  url: string;
  stop: () => Promise<void>;
  halt: () => Promise<void>;
  resume: () => Promise<void>;
}> {
  const bin = binDir()!;
  const dir = await mkdtemp(join(tmpdir(), 'troupe-pg-'));
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    await chown(dir, uid, gid);
  }
  await chmod(dir, 0o700);
  const data = join(dir, 'data');
  run(asServerUser(join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']));
  const port = await freePort();
  // fsync off: a throwaway cluster need not survive a power cut, and tests wait less. The WAL
  // writer at its slowest: a commit that did not wait for its WAL (synchronous_commit off) stays
  // in the server's memory for seconds, so an outage (an immediate stop: a crash) loses it
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c wal_writer_delay=10s`;
  run(asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start']));
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    halt: async () => run(asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'])),
    resume: async () =>
      run(asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', 'start'])),
    stop: async () => {
      run(asServerUser(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
