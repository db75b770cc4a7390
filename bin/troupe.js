#!/usr/bin/env node
// troupe's command line. The code lives in dist/ (built by `npm install`
// through the prepare script, or `npm run build`).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/src/cli/bin.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error[INTERNAL_ERROR]: troupe is not built\nhint: run npm run build in the troupe package\n');
  process.exit(1);
}
await import(entry.href);
