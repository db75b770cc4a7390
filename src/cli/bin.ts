import { main } from './main.js';

// the CLI entry: the one place that calls process.exit (STYLE, changesets)
const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  interrupts += 1;
  // a second Ctrl-C does not wait for anything
  if (interrupts > 1) process.exit(130);
  controller.abort();
});
process.on('SIGTERM', () => controller.abort());
// a reader that went away (`troupe events x | head -1`) is not an error: stop
// writing, and stop the command the way Ctrl-C would
let stdoutOpen = true;
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  stdoutOpen = false;
  controller.abort();
});

const code = await main(process.argv.slice(2), {
  stdout: (text) => {
    if (stdoutOpen) process.stdout.write(text);
  },
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  isTty: Boolean(process.stdout.isTTY),
  signal: controller.signal,
});
// let stdout drain before exiting: a pipe may still be writing the JSON
if (stdoutOpen) process.stdout.write('', () => process.exit(code));
else process.exit(code);
