#!/usr/bin/env bash
# Events per second of the engine on the M/M/c workload: runs bench/engine_bench
# pinned to one core, several repetitions, and prints the median of each case.
# Usage: scripts/measure_engine.sh [BENCH_BINARY] [REPETITIONS] [FILTER]
# Results vary with other load on the machine; compare binaries interleaved, not
# across hours.
set -euo pipefail
bench=${1:-build/release/bench/engine_bench}
repetitions=${2:-5}
filter=${3:-BM_Engine}
cpu=$(( $(nproc) - 1 ))
taskset -c "$cpu" "$bench" --benchmark_filter="$filter" --benchmark_min_time=0.5 \
  --benchmark_repetitions="$repetitions" --benchmark_report_aggregates_only=true \
  --benchmark_counters_tabular=true 2>/dev/null | grep -E '^(Benchmark|BM_.*_(median|stddev))'
