// Which commits a repository has, asked of one `git cat-file --batch-check`
// kept running for it. A worker checks that its clone has a child's spawn
// point before each child, and a parent checks which children's heads it
// lacks before and after each fetch: a git process each time was a fork, an
// exec and git's start for one line of answer (docs/explanation/performance.md#scale-out).
import { commitOfLine, commitsOf } from './commit-lookup.js';
import { isObjectId, type GitCommand } from './git-command.js';
import { startGit } from './git-spawn.js';

type ChildProcess = ReturnType<typeof startGit>;

// a checker nobody asked for this long ends (its git exits), and the next question starts another
const IDLE_MS = 10_000;
// checkers kept running at once: a process follows a few repositories (its own, a worker's clone)
const KEPT = 8;

/**
 * The commit each full object id names in `git`'s repository, null where
 * the repository does not have it — {@link commitsOf}'s answer, from a
 * `cat-file --batch-check` that stays running for the repository, idle
 * for up to 10 s, so that checks while plans run start no git process. A
 * commit fetched, pushed into or made in the repository since the checker
 * started is found: git looks at the object store again (its loose objects
 * and new packs) for an object it does not know. Names that are not full
 * object ids (refs, `HEAD`), or a checker that went away, are answered by
 * one `cat-file` as before.
 *
 * @example
 * const [head] = await commitsHere(gitCommand(clone), [record.sandbox.headCommit]);
 * if (head === null) await fetchHead();
 */
export async function commitsHere(git: GitCommand, commits: readonly string[]): Promise<(string | null)[]> {
  if (commits.length === 0) return [];
  // a ref may move: only what names one object for good is asked of a process that lives on
  if (!commits.every(isObjectId)) return commitsOf(git, commits);
  try {
    return await (await checkerOf(git)).ask(commits);
  } catch {
    // killed, or its repository removed: one process answers, and the next question starts a checker again
    return commitsOf(git, commits);
  }
}

/**
 * End every running checker (their git processes exit): for tests and for
 * a process about to end that wants no child left behind.
 *
 * @example
 * afterEach(() => closeObjectChecks());
 */
export function closeObjectChecks(): void {
  for (const [cwd, checker] of checkers) {
    checkers.delete(cwd);
    void checker.then(
      (each) => each.close(),
      () => {},
    );
  }
}

/** How many checkers run now (for tests: one per repository, whatever the number of questions). */
export function runningObjectChecks(): number {
  return checkers.size;
}

// by repository directory; the most recently asked last
const checkers = new Map<string, Promise<CommitChecker>>();

function checkerOf(git: GitCommand): Promise<CommitChecker> {
  let checker = checkers.get(git.cwd);
  if (checker) {
    checkers.delete(git.cwd);
  } else {
    checker = CommitChecker.start(git, () => {
      if (checkers.get(git.cwd) === checker) checkers.delete(git.cwd);
    });
    // one that could not start is not kept: the next question tries again
    checker.catch(() => checkers.get(git.cwd) === checker && checkers.delete(git.cwd));
  }
  checkers.set(git.cwd, checker);
  if (checkers.size > KEPT) {
    const [oldest, ended] = checkers.entries().next().value!;
    checkers.delete(oldest);
    void ended.then(
      (each) => each.close(),
      () => {},
    );
  }
  return checker;
}

interface Question {
  count: number;
  lines: string[];
  resolve: (commits: (string | null)[]) => void;
  reject: (error: Error) => void;
}

// one `cat-file --batch-check` process: questions answered in the order they were written
class CommitChecker {
  readonly #child: ChildProcess;
  readonly #waiting: Question[] = [];
  readonly #gone: () => void;
  #buffer = '';
  #idle: NodeJS.Timeout | null = null;
  #ended = false;

  private constructor(child: ChildProcess, gone: () => void) {
    this.#child = child;
    this.#gone = gone;
    child.stdout!.setEncoding('utf8').on('data', (text: string) => this.#read(text));
    // git exiting (killed, its directory gone) fails what waits; the caller asks one process instead
    child.on('error', (error) => this.#end(error));
    child.on('exit', () => this.#end(new Error('git cat-file exited')));
    child.stdin!.on('error', (error) => this.#end(error));
    this.#rest();
  }

  static async start(git: GitCommand, gone: () => void): Promise<CommitChecker> {
    const { args, env } = await git.launch(['cat-file', '--batch-check=%(objectname) %(objecttype)']);
    return new CommitChecker(startGit(git.cwd, args, env), gone);
  }

  ask(commits: readonly string[]): Promise<(string | null)[]> {
    if (this.#ended) return Promise.reject(new Error('git cat-file ended'));
    return new Promise((resolve, reject) => {
      this.#waiting.push({ count: commits.length, lines: [], resolve, reject });
      this.#busy();
      this.#child.stdin!.write(commits.map((commit) => `${commit}^{commit}\n`).join(''));
    });
  }

  close(): void {
    this.#end(new Error('git cat-file closed'));
  }

  #read(text: string): void {
    this.#buffer += text;
    for (let end = this.#buffer.indexOf('\n'); end >= 0; end = this.#buffer.indexOf('\n')) {
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 1);
      const question = this.#waiting[0];
      if (!question) continue;
      question.lines.push(line);
      if (question.lines.length < question.count) continue;
      this.#waiting.shift();
      question.resolve(question.lines.map(commitOfLine));
    }
    if (this.#waiting.length === 0) this.#rest();
  }

  // a question waits for its answer: the process stays up for it
  #busy(): void {
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = null;
    this.#child.ref();
    (this.#child.stdout as { ref?: () => void }).ref?.();
  }

  // nothing asked: the checker does not keep this process up, and ends once idle for long
  #rest(): void {
    // an ended checker has nothing to wait for (a late line of output changes nothing)
    if (this.#ended) return;
    this.#child.unref();
    (this.#child.stdout as { unref?: () => void }).unref?.();
    (this.#child.stdin as { unref?: () => void }).unref?.();
    if (this.#idle) clearTimeout(this.#idle);
    this.#idle = setTimeout(() => this.close(), IDLE_MS);
    this.#idle.unref();
  }

  #end(error: Error): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#idle) clearTimeout(this.#idle);
    this.#gone();
    for (const question of this.#waiting.splice(0)) question.reject(error);
    // end of input: git answers what it was asked and exits
    this.#child.stdin!.end();
    this.#child.unref();
  }
}
