/**
 * Requests served by runs of one operation, one run at a time: a run takes
 * every request made while the previous run was under way (a group
 * commit). A worker pushes the branches of the step commits its plans made
 * meanwhile in one `git push`, a parent fetches the children that came back
 * meanwhile in one `git fetch`: one git process (and one on the remote's
 * side) where there were several. Each request is answered with its own
 * result, from the run that carried it; a run that fails fails each of its
 * requests with its error.
 *
 * @example
 * const pushes = new CoalescedRuns<string, void>(async (branches) => {
 *   await git(['push', url, ...branches.map((branch) => `${branch}:${branch}`)]);
 *   return branches.map(() => undefined);
 * });
 * await pushes.request('refs/heads/troupe/a-01abcd');
 */
export class CoalescedRuns<Request, Result> {
  readonly #run: (requests: readonly Request[]) => Promise<readonly Result[]>;
  readonly #hold: () => Promise<void>;
  #waiting: { request: Request; resolve: (result: Result) => void; reject: (error: unknown) => void }[] = [];
  #running = false;

  /**
   * `run` answers its requests in order: one result for each. `hold`, when
   * given, is awaited before each run takes its requests: requests known to
   * be on their way join that run ({@link ExpectedRequests}).
   */
  constructor(run: (requests: readonly Request[]) => Promise<readonly Result[]>, hold?: () => Promise<void>) {
    this.#run = run;
    this.#hold = hold ?? (() => Promise.resolve());
  }

  /** Serve `request` in the next run: at once when none is under way, else when the one under way ended. */
  request(request: Request): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ request, resolve, reject });
      if (!this.#running) void this.#next();
    });
  }

  async #next(): Promise<void> {
    this.#running = true;
    // the requests of this turn of the event loop go together
    await Promise.resolve();
    while (this.#waiting.length > 0) {
      await this.#hold();
      const batch = this.#waiting;
      this.#waiting = [];
      try {
        const results = await this.#run(batch.map((each) => each.request));
        batch.forEach((each, index) => each.resolve(results[index] as Result));
      } catch (error) {
        for (const each of batch) each.reject(error);
      }
    }
    this.#running = false;
  }
}
