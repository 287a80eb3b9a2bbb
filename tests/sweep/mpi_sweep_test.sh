#!/usr/bin/env bash
# Runs a sweep under `mpirun -np 2` and checks that its points table equals the 1-thread run
# bit for bit. Usage: mpi_sweep_test.sh GPUMARKET SOURCE_DIR WORK_DIR
set -euo pipefail
bin=$1 src=$2 work=$3
command -v mpirun >/dev/null || { echo "mpirun missing (openmpi-bin)"; exit 77; }
command -v h5diff >/dev/null || { echo "h5diff missing (hdf5-tools)"; exit 77; }
# Quiet loopback-only OpenMPI, also as root (cluster notes).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1 OMPI_MCA_btl=self,vader OMPI_MCA_pml=ob1
export OMPI_MCA_oob_tcp_if_include=lo OMPI_MCA_btl_vader_single_copy_mechanism=none
source "$src/tests/sweep/same_points.sh"
rm -rf "$work" && mkdir -p "$work"
sweep=$src/tests/sweep/cluster_sweep.yaml
"$bin" sweep "$sweep" -o "$work/one.h5" --threads 1 --quiet
mpirun -np 2 "$bin" sweep "$sweep" -o "$work/mpi.h5"
ls "$work/mpi.h5.journal"
# Both ranks ran rows: each wrote its own journal part.
test -s "$work/mpi.h5.journal/rank-0-of-2.log" && test -s "$work/mpi.h5.journal/rank-1-of-2.log"
same_points "$work/one.h5" "$work/mpi.h5"
echo "mpirun -np 2 gives the same points table as 1 thread"
