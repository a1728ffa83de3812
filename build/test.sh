#!/usr/bin/env bash
# Runs every test: setup, build, MSTest. Prints "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh

results=artifacts/test-results
rm -rf "$results"
status=0
dotnet test MLNet.Segmentation.sln -c Release --logger "trx;LogFileName=tests.trx" --results-directory "$results" \
  || status=$?

trx=$(find "$results" -name '*.trx' 2>/dev/null | head -n 1)
if [[ -n "$trx" ]]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$(get passed); failed=$(get failed); total=$(get total); executed=$(get executed)
  skipped=$(( ${total:-0} - ${executed:-0} ))
  echo "tests: ${passed:-0} passed, ${failed:-0} failed, ${skipped} skipped"
else
  echo "tests: no results file was written" >&2
  status=1
fi
exit $status
