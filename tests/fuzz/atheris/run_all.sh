#!/usr/bin/env bash
# Long atheris runs, one target after another; each prints "Done N runs in S second(s)".
# RUNS_TEXT (text, hashing; default 10^6) and RUNS_OTHER (align, stories, lsh, agglomerate;
# default 10^5) set the budgets.  Needs the compiled kernels and `pip install retold[fuzz]`.
set -euo pipefail
cd "$(dirname "$0")/../../.."
export PYTHONPATH="$PWD/src${PYTHONPATH:+:$PYTHONPATH}"
for target in text hashing; do
  echo "== $target"; python "tests/fuzz/atheris/fuzz_$target.py" -atheris_runs="${RUNS_TEXT:-1000000}" 2>&1 | grep -E "^Done|ERROR|Uncaught|Error" || true
done
for target in align stories lsh agglomerate; do
  echo "== $target"; python "tests/fuzz/atheris/fuzz_$target.py" -atheris_runs="${RUNS_OTHER:-100000}" 2>&1 | grep -E "^Done|ERROR|Uncaught|Error" || true
done
