#!/usr/bin/env bash
# Stops the cluster that scripts/cluster/start_slurm.sh DIR started: slurmd and slurmctld by
# their pid files, and munged only if that script started it.
set -uo pipefail
dir=${1:?usage: stop_slurm.sh DIR}
[[ -d $dir ]] || exit 0
stop() {  # pid file
  [[ -s $1 ]] || return 0
  local pid
  pid=$(cat "$1")
  kill "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
}
stop "$dir/slurmd.pid"
stop "$dir/slurmctld.pid"
if [[ -f $dir/munged.started ]]; then
  stop /run/munge/munged.pid
  rm -f "$dir/munged.started"
fi
exit 0
