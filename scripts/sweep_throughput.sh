#!/usr/bin/env bash
# Measures sweep throughput (rows/s) on 1 and 2 MPI ranks of one thread each for a sweep of
# 120 M/M/c points, the speed-up at 2 ranks (target >= 1.9), and the overhead per row: wall
# time x workers minus the sum of the rows' run times, over the rows (target <= 5 ms).
#   scripts/sweep_throughput.sh [GPUMARKET] [HORIZON]   (defaults: build/release binary, 10000h)
# The machine should be otherwise idle: other processes on its cores lower the speed-up.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../build/release/sim/cli/gpumarket}")
horizon=${2:-10000h}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cat >"$work/throughput.yaml" <<YAML
base:
  extends: $here/../scenarios/mmc.yaml
  horizon: $horizon
  warmup: 100h
seed: 1
indicators: [mean_wait_h, utilisation]
axes:
  - {name: rate, path: segments.jobs.arrival_rate_per_hour, range: {from: 0.5, to: 2.9, count: 40}}
  - {name: servers, path: venues.farm.servers, values: [3, 4, 5]}
YAML
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
export OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_btl_vader_single_copy_mechanism=none

measure() {  # label, command...
  local label=$1
  shift
  rm -rf "$work"/out.h5*
  local start end line
  start=$(date +%s.%N)
  line=$("$@" 2>&1 | grep '^wrote')
  end=$(date +%s.%N)
  # "... in W s (R rows/s) on K rank(s) x T thread(s); sum of run times S s, overhead O ms per row"
  local wall rate sum overhead
  wall=$(sed -E 's/.* in ([0-9.]+) s .*/\1/' <<<"$line")
  rate=$(sed -E 's/.*\(([0-9.]+) rows\/s\).*/\1/' <<<"$line")
  sum=$(sed -E 's/.*sum of run times ([0-9.]+) s.*/\1/' <<<"$line")
  overhead=$(sed -E 's/.*overhead ([0-9.-]+) ms per row.*/\1/' <<<"$line")
  printf '%-10s  %8s rows/s  sweep %7.3f s  process %7.3f s  run times %7.3f s  overhead %6s ms/row\n' \
    "$label" "$rate" "$wall" "$(echo "$end - $start" | bc)" "$sum" "$overhead"
  echo "$rate" >"$work/$label.rate"
}

echo "120 rows (M/M/c, horizon $horizon), $(nproc) cores, $bin"
measure 1-rank "$bin" sweep "$work/throughput.yaml" -o "$work/out.h5" --threads 1
measure 2-ranks mpirun -np 2 "$bin" sweep "$work/throughput.yaml" -o "$work/out.h5" --threads 1
echo "speed-up at 2 ranks: $(echo "scale=2; $(cat "$work/2-ranks.rate") / $(cat "$work/1-rank.rate")" | bc)"
