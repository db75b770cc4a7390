import { createInterface } from 'node:readline';

/** Where a question is asked: the prompt goes to `output`, the answer comes from `input`. */
export interface AskStreams {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
}

/**
 * A question asked on the terminal: the prompt on stderr (stdout stays the
 * command's answer, JSON included), the answer read from stdin. Ctrl-C,
 * Ctrl-D or an abort answer '' — which a yes/no question takes as no.
 * `terminal` defaults to the process's stdin and stderr.
 *
 * @example
 * const answer = await askOnTerminal(signal)('Roll back demo/x? [y/N] ');
 */
export function askOnTerminal(
  signal: AbortSignal,
  terminal: AskStreams = { input: process.stdin, output: process.stderr },
): (question: string) => Promise<string> {
  return (question) =>
    new Promise((resolve) => {
      const reader = createInterface({ input: terminal.input, output: terminal.output, terminal: true });
      let settled = false;
      const finish = (answer: string) => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', aborted);
        reader.close();
        resolve(answer);
      };
      const aborted = () => finish('');
      // in a terminal readline owns Ctrl-C: without this listener it would only pause stdin
      reader.on('SIGINT', () => {
        terminal.output.write('\n');
        finish('');
      });
      reader.on('close', () => finish(''));
      signal.addEventListener('abort', aborted, { once: true });
      reader.question(question, finish);
    });
}

/** Whether an answer to a `[y/N]` question is yes: `y` or `yes`, any case; anything else is no. */
export function isYes(answer: string): boolean {
  return /^y(es)?$/i.test(answer.trim());
}
