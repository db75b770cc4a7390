#!/bin/sh
# Fails (exit 1) and names the file if a TypeScript source lacks the header.
status=0
for f in $(find src -name '*.ts' | sort); do
  if ! head -n 1 "$f" | grep -q 'SPDX-License-Identifier: MIT'; then
    echo "missing header: $f" >&2
    status=1
  fi
done
exit $status
