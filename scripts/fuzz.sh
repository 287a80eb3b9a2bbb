#!/usr/bin/env bash
# Builds the `fuzz` preset (clang-14, libFuzzer, ASan + UBSan) and runs each fuzz target on its
# checked-in corpus (fuzz/corpus/<target>/, read-only) plus a writable corpus outside the
# repository, then prints executions, coverage and time per target. A crash, a sanitizer
# report, a timeout (> 2 s for one input) or an out-of-memory (> 2 GB) fails the script; the
# input that caused it is kept under $GPUMARKET_FUZZ_DIR/<target>/artifacts/.
#
#   scripts/fuzz.sh [--time SECONDS] [--runs N] [--seed S] [target...]
#
# Default: 60 s per target, every target; with both limits the first one reached stops it.
# --seed fixes libFuzzer's random seed: on a fresh $GPUMARKET_FUZZ_DIR, the same seed
# mutates the same inputs in the same order, so a finding reproduces (scripts/test.sh). Targets: scenario_loader_fuzzer, sweep_fuzzer,
# constraint_fuzzer, hdf5_reader_fuzzer. Replay one input: build/fuzz/fuzz/<target> <file>.
set -euo pipefail
cd "$(dirname "$0")/.."

time_limit=()
run_limit=()
seed=()
targets=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --time) time_limit=(-max_total_time="$2"); shift 2 ;;
    --runs) run_limit=(-runs="$2"); shift 2 ;;
    --seed) seed=(-seed="$2"); shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "fuzz.sh: unknown option '$1'; expected --time SECONDS, --runs N, --seed S or target names" >&2
        exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
if [[ ${#time_limit[@]} -eq 0 && ${#run_limit[@]} -eq 0 ]]; then time_limit=(-max_total_time=60); fi
all_targets=(scenario_loader_fuzzer sweep_fuzzer constraint_fuzzer hdf5_reader_fuzzer)
if [[ ${#targets[@]} -eq 0 ]]; then targets=("${all_targets[@]}"); fi
for target in "${targets[@]}"; do
  if [[ ! -d fuzz/corpus/$target ]]; then
    echo "fuzz.sh: unknown target '$target'; expected one of: ${all_targets[*]}" >&2
    exit 2
  fi
done

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

work=${GPUMARKET_FUZZ_DIR:-${TMPDIR:-/tmp}/gpumarket-fuzz}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/fuzz/lsan.supp}
failed=()
printf '%-24s %12s %8s %8s %8s %8s  %s\n' target executions exec/s cov ft seconds result
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/corpus" "$work/$target/artifacts"
  dict=()
  if [[ -f fuzz/$target.dict ]]; then dict=(-dict="fuzz/$target.dict"); fi
  log=$work/$target/log.txt
  start=$(date +%s)
  status=0
  build/fuzz/fuzz/"$target" "${time_limit[@]}" "${run_limit[@]}" "${seed[@]}" -timeout=2 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$target/artifacts/" "${dict[@]}" \
    "$work/$target/corpus" "fuzz/corpus/$target" >"$log" 2>&1 || status=$?
  seconds=$(($(date +%s) - start))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  result=ok
  if [[ $status -ne 0 ]]; then
    result="FINDING (exit $status): see $log and $work/$target/artifacts/"
    failed+=("$target")
  fi
  printf '%-24s %12s %8s %8s %8s %8s  %s\n' "$target" "${runs:-?}" "${speed:-?}" "${cov:-?}" \
    "${ft:-?}" "$seconds" "$result"
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: findings in ${failed[*]}" >&2
  for target in "${failed[@]}"; do grep -m1 -A12 -E '^==[0-9]+==ERROR|runtime error|deadly signal|timeout|out-of-memory' "$work/$target/log.txt" >&2 || true; done
  exit 1
fi
