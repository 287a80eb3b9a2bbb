#!/usr/bin/env bash
# Runs a sweep as a 4-task Slurm job array plus a merge job (scripts/slurm_sweep.sh) on the
# cluster of the `slurm` fixture, and checks that the merged points table equals the local
# 1-thread one bit for bit. Usage: slurm_sweep_test.sh GPUMARKET SOURCE_DIR WORK_DIR SLURM_DIR
set -euo pipefail
bin=$1 src=$2 work=$3 slurm=$4
export SLURM_CONF=$slurm/slurm.conf
[[ -s $SLURM_CONF ]] || { echo "no Slurm cluster (fixture skipped?)"; exit 77; }
command -v h5diff >/dev/null || { echo "h5diff missing (hdf5-tools)"; exit 77; }
source "$src/tests/sweep/same_points.sh"
rm -rf "$work" && mkdir -p "$work"
sweep=$src/tests/sweep/cluster_sweep.yaml
"$bin" sweep "$sweep" -o "$work/local.h5" --threads 1 --quiet
"$src/scripts/slurm_sweep.sh" --tasks 4 --threads 1 --gpumarket "$bin" --wait \
  "$sweep" "$work/slurm.h5" -- --time=10
for i in 0 1 2 3; do test -s "$work/slurm.shard-$i-of-4.h5"; done
same_points "$work/local.h5" "$work/slurm.h5"
echo "the merged result of 4 Slurm shards equals the local run"
