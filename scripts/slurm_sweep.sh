#!/usr/bin/env bash
# Submits a sweep to Slurm as a job array of N shards plus a merge job that starts when every
# shard succeeded:
#   scripts/slurm_sweep.sh [options] SWEEP.yaml OUT.h5 [-- extra sbatch options]
# Options:
#   --tasks N        array tasks (shards), default 4; task i runs `gpumarket sweep` on shard
#                    i/N (from SLURM_ARRAY_TASK_ID) into OUT.shard-i-of-N.h5
#   --threads T      threads per task (default: the task's cores, --cpus-per-task)
#   --gpumarket BIN  the gpumarket binary (default: build/release/sim/cli/gpumarket, else PATH)
#   --wait           return when the merge job has finished, with its exit status (3: the
#                    merged sweep has failed rows)
# Prints the array and merge job ids. A task that is rerun (e.g. after a time limit) resumes
# from its journal; rerunning the whole script resumes every shard.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
tasks=4 threads="" wait=() bin=""
while [[ $# -gt 0 ]]; do
  case $1 in
    --tasks) tasks=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --gpumarket) bin=$2; shift 2 ;;
    --wait) wait=(--wait); shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[[ $# -ge 2 ]] || { echo "usage: slurm_sweep.sh [options] SWEEP.yaml OUT.h5 [-- sbatch options]" >&2; exit 2; }
sweep=$(realpath "$1") out=$(realpath -m "$2")
shift 2
[[ ${1:-} == -- ]] && shift
extra=("$@")
if [[ -z $bin ]]; then
  bin=$here/../build/release/sim/cli/gpumarket
  [[ -x $bin ]] || bin=$(command -v gpumarket || true)
fi
[[ -x $bin ]] || { echo "slurm_sweep: no gpumarket binary (use --gpumarket BIN)" >&2; exit 2; }
bin=$(realpath "$bin")
[[ $tasks =~ ^[1-9][0-9]*$ ]] || { echo "slurm_sweep: --tasks must be a positive number" >&2; exit 2; }
mkdir -p "$(dirname "$out")"

dir=$(dirname "$out") base=$(basename "$out")
stem=${base%.*} ext=""
[[ $base == *.* ]] && ext=.${base##*.}
shards=()
for ((i = 0; i < tasks; i++)); do shards+=("$dir/$stem.shard-$i-of-$tasks$ext"); done
thread_option=""
[[ -n $threads ]] && thread_option="--threads $threads"

# A shard whose rows failed (exit 3) has still finished: its failures are results, so the task
# succeeds and the merge, which exits 3 for them, still runs.
array=$(sbatch --parsable --array=0-$((tasks - 1)) --job-name=gpumarket-sweep \
  --output="$dir/$stem.slurm-%A_%a.log" "${extra[@]}" \
  --wrap "'$bin' sweep '$sweep' -o '$out' $thread_option --quiet; s=\$?; [ \$s -eq 3 ] && s=0; exit \$s")
array=${array%%;*}
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
  --job-name=gpumarket-sweep-merge --output="$dir/$stem.slurm-merge-%j.log" "${wait[@]}" \
  --wrap "exec '$bin' sweep-merge '$out' $(printf "'%s' " "${shards[@]}")")
echo "array job $array ($tasks shards), merge job ${merge%%;*} -> $out"
