#!/bin/sh
# Runs a compatibility set of the tests, and the examples, on the Node.js lines users run besides the
# project's own: 22 and 24, pinned in tools/node-lines and installed from the npm registry.
# Usage: sh scripts/test-node-lines.sh [22] [24]
# Expects `npm ci` and `npm run build` done (the examples run dist/).
#
# The set is what leans on Node's own APIs and on native or version-sensitive packages: the plan
# file's schemas, the machines (XState), a merge, the built-in tools on real files, the MCP
# server's plan tools and its SDK, LevelDB and the in-memory store, bubblewrap, git worktrees and
# spawned commands; three examples then drive the built CLI end to end (a plan strategized,
# executed in a worktree, validated and applied), the embedding API and an agent over MCP. Not
# again on each line: the integration tests, the CLI's, the other examples, the workers' fault
# drills, the crash and power-loss runs, the docs' and scripts' checks — `npm test` runs all of
# them on the machine's Node, and again on each line they would take CI past its 40 minutes on a
# 2-core machine (CONTRIBUTING.md, "The tests").
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
  echo "== Node $("$bin/node" --version): the compatibility set, three examples"
  # node, npx and every process a test starts resolve `node` through PATH
  if ! PATH="$bin:$PATH" npx vitest run \
    test/domain test/machines test/tools/builtins \
    test/store/level-store.test.ts test/store/memory-store.test.ts test/store/write-lanes.test.ts \
    test/sandbox/bubblewrap-sandbox.test.ts test/sandbox/git-sandboxes-ensure.test.ts test/sandbox/spawn-command.test.ts \
    test/mcp/plan-tools.test.ts test/merge/entry-merge.test.ts test/merge/json-conflicts.test.ts \
    --exclude '**/*.int.test.ts' --exclude '**/*.e2e.test.ts'; then failed="$failed $line (tests)"; fi
  # the built CLI end to end, the embedding API, and an agent over MCP
  if ! PATH="$bin:$PATH" npx tsx examples/run-examples.ts quickstart embed mcp-agent; then failed="$failed $line (examples)"; fi
done
if [ -n "$failed" ]; then
  echo "failed on Node:$failed" >&2
  exit 1
fi
