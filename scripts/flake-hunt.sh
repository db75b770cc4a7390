#!/usr/bin/env bash
# Flake hunt: run CI (.ci/run) several times in a row on a clean clone of
# the current commit, with CPU-bound processes competing for the cores the
# whole time, and stop at the first red run. A test that fails only under
# load has a timing assumption in it: fix the test, never retry it.
#
#   sh scripts/flake-hunt.sh [runs=3] [burners=2]
#
# Each run's output is kept in $TMPDIR/troupe-flake-hunt.<pid>/run-N.log.
set -euo pipefail
runs="${1:-3}"
burners="${2:-2}"
root="$(cd "$(dirname "$0")/.." && pwd)"
commit="$(git -C "$root" rev-parse HEAD)"
work="$(mktemp -d "${TMPDIR:-/tmp}/troupe-flake-hunt.XXXXXX")"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT INT TERM
# the load: busy loops that never sleep, one per burner
for _ in $(seq 1 "$burners"); do
  sh -c 'while :; do :; done' &
  pids+=("$!")
done
echo "flake hunt: $runs runs of .ci/run at ${commit:0:7}, $burners CPU burners beside them; logs in $work"
for run in $(seq 1 "$runs"); do
  clone="$work/clone-$run"
  git clone --quiet "$root" "$clone"
  git -C "$clone" checkout --quiet "$commit"
  # CI keeps shared/ beside the clone: so does the hunt
  [ -d "$root/../shared" ] && ln -s "$root/../shared" "$work/shared" 2>/dev/null || true
  started=$(date +%s)
  if (cd "$clone" && CI=true bash .ci/run </dev/null >"$work/run-$run.log" 2>&1); then
    echo "run $run: passed in $(( $(date +%s) - started )) s"
    rm -rf "$clone"
  else
    echo "run $run: FAILED after $(( $(date +%s) - started )) s — $work/run-$run.log"
    grep -E "FAIL|✗|×|failed" "$work/run-$run.log" | head -40 || true
    exit 1
  fi
done
echo "flake hunt: $runs of $runs runs passed under load"
