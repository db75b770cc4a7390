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

const code = await main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  cwd: process.cwd(),
  env: process.env,
  isTty: Boolean(process.stdout.isTTY),
  signal: controller.signal,
});
// let stdout drain before exiting: a pipe may still be writing the JSON
process.stdout.write('', () => process.exit(controller.signal.aborted && code === 0 ? 130 : code));
