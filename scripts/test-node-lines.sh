#!/bin/sh
# Runs the unit and integration tests (not the workers' end-to-end fault drills; no coverage gate: the gate is measured
# once, by `npm test`; nor the docs' and scripts' checks) and the examples on the Node.js lines users run besides
# the project's own: 22 and 24, pinned in tools/node-lines and installed from
# the npm registry. Usage: sh scripts/test-node-lines.sh [22] [24]
# Expects `npm ci` and `npm run build` done (the examples and CLI tests run dist/).
set -eu
cd "$(dirname "$0")/.."
npm ci --prefix tools/node-lines --no-audit --no-fund --loglevel=error
lines="${*:-22 24}"
failed=''
for line in $lines; do
  bin="$PWD/tools/node-lines/node_modules/node$line/bin"
  if [ ! -x "$bin/node" ]; then
    echo "no Node $line in tools/node-lines (only linux-x64 binaries are pinned there)" >&2
    exit 1
  fi
  echo "== Node $("$bin/node" --version): unit and integration tests, examples"
  # node, npx and every process a test starts resolve `node` through PATH. Not again: test/docs and
  # test/scripts, which hold the docs and the project's own scripts to the code whatever Node runs them,
  # and the end-to-end fault drills of workers (*.e2e.test.ts: frozen, partitioned and killed workers,
  # Redis faults), which time servers and processes rather than Node; the scale-out integration tests
  # still run on every line. That keeps CI under its 40 minutes
  if ! PATH="$bin:$PATH" npx vitest run --exclude 'test/docs/**' --exclude 'test/scripts/**' --exclude '**/*.e2e.test.ts'; then failed="$failed $line (tests)"; fi
  if ! PATH="$bin:$PATH" npm run test:examples; then failed="$failed $line (examples)"; fi
done
if [ -n "$failed" ]; then
  echo "failed on Node:$failed" >&2
  exit 1
fi
