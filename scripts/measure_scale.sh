#!/usr/bin/env bash
# End-to-end scale measurement: bear.yaml run for 1 and 3 simulated years (3 years is
# about 16 M generated jobs), reporting wall time, CPU time and peak RSS of each, so that
# speed (target: >= 10 M jobs over 3 years in <= 10 s on one core) and memory that does
# not grow with the horizon (target: <= 300 MB) can be read off.
# Usage: scripts/measure_scale.sh [path/to/gpumarket]
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/release/sim/cli/gpumarket}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for end in 2027-05-07 2029-05-07; do
  /usr/bin/time -f "%e %U %M" -o "$out/time" taskset -c 0 "$binary" run scenarios/bear.yaml \
      --set end=$end -o "$out/run.h5" -q
  read -r wall user rss_kb < "$out/time"
  jobs=$("$binary" compare "$out/run.h5" --only jobs_generated --csv | tail -1 | cut -d, -f3)
  printf 'bear to %s: %s jobs, %s s wall, %s s CPU, peak RSS %d MB\n' \
      "$end" "$jobs" "$wall" "$user" $((rss_kb / 1024))
done
