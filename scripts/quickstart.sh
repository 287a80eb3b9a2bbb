#!/usr/bin/env bash
# First command of the README: installs the Debian packages, builds the release preset,
# runs the articles' bull and bear cases (printing each one's headline results and the
# path of the HDF5 file it wrote), draws a dashboard of the two side by side, and compares
# them over 5 replications with 95 % intervals.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
cmake --workflow --preset release
gpumarket=build/release/sim/cli/gpumarket
for case in bull bear; do
  echo "== scenarios/$case.yaml"
  "$gpumarket" run "scenarios/$case.yaml"
  echo
done
"$gpumarket" compare results/bull.h5 results/bear.h5 --headline
/usr/bin/python3 scripts/dashboard.py results/bull_vs_bear.png results/bull.h5 results/bear.h5
echo "dashboard: results/bull_vs_bear.png"
echo
# One seed each above; the headline with intervals needs replications. Five keep the first
# command to a few minutes (the README's table uses 20: docs/analysis.md).
echo "== bear against bull over 5 replications with common random numbers (README: 20)"
"$gpumarket" compare scenarios/bull.yaml scenarios/bear.yaml --replications 5 --headline -q
/usr/bin/python3 scripts/dashboard.py results/bull_vs_bear_ensemble.png results/bull.ensemble.h5 results/bear.ensemble.h5 && echo "dashboard of the ensembles: results/bull_vs_bear_ensemble.png"
