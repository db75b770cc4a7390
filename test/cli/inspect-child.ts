// `troupe <argv>` without process.exit: the process ends only when nothing keeps it alive
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  env: process.env,
  isTty: false,
  signal: new AbortController().signal,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
