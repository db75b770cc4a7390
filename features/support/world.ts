import { AssertionError } from 'node:assert';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { After, Before, BeforeAll, setDefaultTimeout, setWorldConstructor, World } from '@cucumber/cucumber';
import type { EmbeddingApp } from './embedding-app.js';
import { parseDocument } from './json-match.js';
import {
  TROUPE_BIN,
  runTroupe,
  splitArgs,
  startTroupe,
  troupeEnv,
  type BackgroundRun,
  type CliResult,
} from './troupe-cli.js';

// plans run real git and LevelDB in child processes: give them time
setDefaultTimeout(60_000);

/** Something a scenario opened that must be closed after it (an embedded runtime). */
interface Closable {
  close(): Promise<void>;
}

/**
 * One scenario's world: a temp folder holding the git project, an empty
 * HOME, and a place outside the project; the last troupe command's exit
 * code, stdout and stderr; and anything started in the background.
 */
export class TroupeWorld extends World {
  root = '';
  /** The git project troupe runs on. */
  project = '';
  /** Where troupe commands run (the project, unless a scenario says otherwise). */
  cwd = '';
  home = '';
  /** A folder outside the project, for escapes to aim at. */
  outside = '';
  last: CliResult | undefined;
  /** The name of the plan in the last plan file written. */
  planName: string | undefined;
  /** Plan files written into the project: the user's own files, not a change troupe made. */
  planFiles: string[] = [];
  /** The project's HEAD when the scenario's setup was done. */
  initialHead: string | undefined;
  background: BackgroundRun | undefined;
  /** An app embedding troupe through its public API, when a scenario is about embedding. */
  app: EmbeddingApp | undefined;
  readonly started: BackgroundRun[] = [];
  readonly closables: Closable[] = [];

  /** Run a troupe command line (`troupe plan run plan.yaml`) and keep what it printed. */
  async troupe(line: string, extraEnv: Record<string, string> = {}): Promise<CliResult> {
    this.last = await runTroupe(this.cwd, this.args(line), troupeEnv(this.home, extraEnv));
    return this.last;
  }

  /** Start a troupe command line in the background. */
  startInBackground(line: string): BackgroundRun {
    const run = startTroupe(this.cwd, this.args(line), troupeEnv(this.home));
    this.started.push(run);
    this.background = run;
    return run;
  }

  /**
   * Let a step that waits for the go-ahead finish: such a step runs
   * `until test -e "$HOME/go-ahead"; do sleep 0.1; done`, so a scenario
   * decides how long a plan stays processing, whatever the machine's load.
   */
  async goAhead(): Promise<void> {
    await writeFile(join(this.home, 'go-ahead'), '');
  }

  /** Ask troupe for JSON without touching `last` (for checks); the command must succeed. */
  async query(line: string): Promise<unknown> {
    const result = await runTroupe(this.cwd, this.args(line), troupeEnv(this.home));
    if (result.code !== 0) {
      throw new AssertionError({
        message: `troupe ${line} exited ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`,
      });
    }
    return parseDocument(result.stdout);
  }

  /** The record of a plan, as `troupe plan status <plan> --json` prints it. */
  async planRecord(ref = this.currentPlan()): Promise<PlanRecordView> {
    return (await this.query(`plan status ${ref} --json`)) as PlanRecordView;
  }

  /** The plan a scenario talks about when it says "the plan". */
  currentPlan(): string {
    if (!this.planName) throw new Error('no plan file was written in this scenario');
    return this.planName;
  }

  /** The command started in the background; a step about it needs one. */
  backgroundRun(): BackgroundRun {
    if (!this.background) throw new Error('no troupe command was started in the background in this scenario');
    return this.background;
  }

  /** The last command's result; a step about output needs a command before it. */
  lastRun(): CliResult {
    if (!this.last) throw new Error('no troupe command was run in this scenario');
    return this.last;
  }

  private args(line: string): string[] {
    const args = splitArgs(line.trim());
    return args[0] === 'troupe' ? args.slice(1) : args;
  }
}

/** The fields of a plan record (SPEC §13) the steps read. */
export interface PlanRecordView {
  id: string;
  name: string;
  phase: string;
  status: string;
  error: Record<string, unknown> | null;
  sandbox: { worktree: string; branch: string; baseCommit: string; headCommit: string } | null;
  [key: string]: unknown;
}

setWorldConstructor(TroupeWorld);

BeforeAll(() => {
  if (!existsSync(new URL('../../dist/src/cli/bin.js', import.meta.url))) {
    throw new Error(`troupe is not built: run npm run build before the features (${TROUPE_BIN} runs dist/)`);
  }
});

Before(async function (this: TroupeWorld) {
  // outside /tmp, which every contained command gets empty and private: a step reads $HOME/go-ahead from here
  this.root = await mkdtemp(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'troupe-feature-'));
  // open, as a user's folders are: run as root, troupe's commands are another user, who could not
  // enter what mkdtemp makes (0700) — the contained-commands features read what is outside the project
  await chmod(this.root, 0o755);
  this.project = join(this.root, 'project');
  this.home = join(this.root, 'home');
  this.outside = join(this.root, 'outside');
  this.cwd = this.project;
  await mkdir(this.home, { recursive: true });
  await mkdir(this.outside, { recursive: true });
  // troupe's own commits must carry their identity: git may not guess one here
  await writeFile(join(this.home, '.gitconfig'), '[user]\n\tuseConfigOnly = true\n');
});

After(async function (this: TroupeWorld) {
  // a step still waiting for the go-ahead gets it, so no shell outlives the scenario
  if (this.home && this.started.some((run) => run.running())) await this.goAhead();
  for (const run of this.started) {
    const timer = setTimeout(() => run.child.kill('SIGKILL'), 5_000);
    await run.exited.catch(() => undefined);
    clearTimeout(timer);
  }
  for (const closable of this.closables.splice(0).reverse()) await closable.close().catch(() => undefined);
  if (this.root) await rm(this.root, { recursive: true, force: true });
});
