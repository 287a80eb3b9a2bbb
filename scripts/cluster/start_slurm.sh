#!/usr/bin/env bash
# Starts a single-node Slurm cluster (munged, slurmctld, slurmd on 127.0.0.1) whose
# configuration and state live in DIR, and waits until its node is idle. Used as a CTest
# fixture and usable by hand:
#   scripts/cluster/start_slurm.sh /tmp/slurm && export SLURM_CONF=/tmp/slurm/slurm.conf
# Stop it with scripts/cluster/stop_slurm.sh DIR. Needs root and the packages of
# scripts/debian-packages-cluster.txt; exits 77 (CTest: skipped) when they are missing.
# Recipe and pitfalls: cluster notes (no cgroups, PMIx, NodeName line from `slurmd -C`).
set -euo pipefail
dir=${1:?usage: start_slurm.sh DIR}
for tool in slurmctld slurmd sinfo sbatch munged; do
  if ! command -v "$tool" >/dev/null && [[ ! -x /usr/sbin/$tool ]]; then
    echo "start_slurm: $tool is not installed (scripts/install-deps.sh --cluster); skipping" >&2
    exit 77
  fi
done
if [[ $(id -u) -ne 0 ]]; then
  echo "start_slurm: slurmd must run as root; skipping" >&2
  exit 77
fi
PATH=/usr/sbin:$PATH
mkdir -p "$dir/state" "$dir/spool"
dir=$(cd "$dir" && pwd)
host=$(hostname -s)

# munge: reuse a running daemon, else start one (and remember to stop it).
if ! munge -n </dev/null >/dev/null 2>&1; then
  [[ -s /etc/munge/munge.key ]] || mungekey --create >/dev/null 2>&1 ||
    (dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null)
  chown munge:munge /etc/munge/munge.key && chmod 0400 /etc/munge/munge.key
  mkdir -p /run/munge /var/lib/munge /var/log/munge && chown munge:munge /run/munge /var/lib/munge /var/log/munge
  runuser -u munge -- /usr/sbin/munged
  echo started >"$dir/munged.started"
fi

node_line=$(slurmd -C | head -n1)
cat >"$dir/slurm.conf" <<CONF
ClusterName=ci
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=pmix
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0,bf_interval=1
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
CommunicationParameters=NoInAddrAny,NoCtldInAddrAny
MailProg=/bin/true
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/jobcomp.log
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
MinJobAge=600
$node_line NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$dir/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 120); do
  state=$(sinfo -h -o %T 2>/dev/null | head -n1 || true)
  if [[ $state == idle ]]; then
    echo "start_slurm: node $host idle; export SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.5
done
echo "start_slurm: the node did not become idle (state '${state:-?}'); logs in $dir" >&2
exit 1
