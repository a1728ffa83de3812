#!/usr/bin/env bash
# Runs every test: setup, build, MSTest. Prints "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
bash build/setup.sh

results=artifacts/test-results
rm -rf "$results"
status=0
dotnet test MLNet.Segmentation.sln -c Release --logger "trx;LogFilePrefix=tests" --results-directory "$results" \
  || status=$?

# One results file per test project: the counts are their sums.
mapfile -t trxs < <(find "$results" -name '*.trx' 2>/dev/null)
if (( ${#trxs[@]} > 0 )); then
  passed=0; failed=0; total=0; executed=0
  for trx in "${trxs[@]}"; do
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
    get() { local v; v=$(echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"); echo "${v:-0}"; }
    passed=$(( passed + $(get passed) )); failed=$(( failed + $(get failed) ))
    total=$(( total + $(get total) )); executed=$(( executed + $(get executed) ))
  done
  echo "tests: ${passed} passed, ${failed} failed, $(( total - executed )) skipped (${#trxs[@]} test projects)"
else
  echo "tests: no results file was written" >&2
  status=1
fi
exit $status
