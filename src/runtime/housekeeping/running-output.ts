// how much of the end of a plan's running output is kept: enough for one long line
const KEPT_CHARS = 2_048;

/**
 * The end of what each plan's running commands write, as it arrives: the
 * last line of a long step, shown live by `troupe plan run` and the status
 * of a plan (docs/reference/cli.md). Only the commands running now in this process;
 * what a command wrote is dropped when it ends (its whole output is its
 * command log).
 *
 * @example
 * const running = new RunningOutput();
 * running.write(planId, Buffer.from('compiling 3/9\n'));
 * running.lastLine(planId); // 'compiling 3/9'
 */
export class RunningOutput {
  // per plan: how many commands run now, and the end of what they wrote
  readonly #plans = new Map<string, { commands: number; text: string }>();

  /** A command of the plan starts. */
  start(planId: string): void {
    const plan = this.#plans.get(planId);
    if (plan) plan.commands += 1;
    else this.#plans.set(planId, { commands: 1, text: '' });
  }

  /** A piece of the output of one of the plan's running commands. */
  write(planId: string, chunk: Buffer): void {
    const plan = this.#plans.get(planId);
    if (!plan) return;
    plan.text = (plan.text + chunk.toString('utf8')).slice(-KEPT_CHARS);
  }

  /** A command of the plan ended: once none runs, what they wrote is forgotten. */
  end(planId: string): void {
    const plan = this.#plans.get(planId);
    if (!plan) return;
    plan.commands -= 1;
    if (plan.commands <= 0) this.#plans.delete(planId);
  }

  /** The last line with text of what the plan's running commands wrote (a progress bar's last redraw after `\r`), or null. */
  lastLine(planId: string): string | null {
    const text = this.#plans.get(planId)?.text ?? '';
    const lines = text.split(/\r\n|\n|\r/).filter((line) => line.trim() !== '');
    return lines.at(-1)?.trimEnd() ?? null;
  }
}
