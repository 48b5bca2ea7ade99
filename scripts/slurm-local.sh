#!/usr/bin/env bash
# A throwaway one-node Slurm cluster on this machine, to submit job scripts (`train-seeds --slurm`) for real.
#
#   DIR=$(bash scripts/slurm-local.sh start)   # prints the cluster's folder once the node is idle
#   export SLURM_CONF=$DIR/slurm.conf           # then sbatch, squeue, sinfo talk to this cluster
#   bash scripts/slurm-local.sh stop "$DIR"     # cancels its jobs, kills its daemons, removes DIR
#
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge (scripts/setup-system.sh installs them).
# Everything (munge key and socket, slurm.conf, state, spool, logs, pid files) lives in DIR, on ports picked
# at random, so nothing under /etc is read or changed and a real Slurm or munge on the machine is not touched.
set -euo pipefail

usage() { echo "usage: $0 start [DIR] | stop DIR" >&2; exit 2; }
log() { echo "slurm-local: $*" >&2; }
MARKER=slurm-local.marker  # stop removes only folders holding this file

# A TCP port nothing listens on (bash's /dev/tcp connect fails on a free port).
free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  log "no free port found"; exit 1
}

# Why a daemon failed: the end of its log.
show_logs() {
  local f
  for f in "$DIR"/munge/munged.log "$DIR"/log/slurmctld.log "$DIR"/log/slurmd.log; do
    [ -s "$f" ] && { echo "--- $f" >&2; tail -n 15 "$f" >&2; }
  done
  return 0
}

start() {
  [ "$(id -u)" -eq 0 ] || { log "needs root (slurmd starts jobs as their user)"; exit 1; }
  for b in munged mungekey slurmctld slurmd sinfo; do
    command -v "$b" >/dev/null || { log "'$b' not found: install slurmctld slurmd slurm-client munge (scripts/setup-system.sh)"; exit 1; }
  done
  DIR=${1:-$(mktemp -d "${TMPDIR:-/tmp}/slurm-local.XXXXXX")}
  mkdir -p "$DIR"/{munge,state,spool,log}
  touch "$DIR/$MARKER"
  # Private: it holds the munge key, and the cluster is root's alone.
  chmod 700 "$DIR" "$DIR"/munge
  # Every process of this cluster (daemons, job steps, jobs) carries this in its environment, so stop can find
  # stragglers by it.
  export SLURM_CONF="$DIR/slurm.conf"
  trap 'log "start failed"; show_logs; stop_dir "$DIR"' ERR

  mungekey --create --keyfile="$DIR/munge/munge.key"
  # --force: munged refuses by default a socket that other users cannot reach, which is what a private DIR makes.
  munged --force --socket="$DIR/munge/socket" --key-file="$DIR/munge/munge.key" --pid-file="$DIR/munge/munged.pid" \
    --seed-file="$DIR/munge/seed" --log-file="$DIR/munge/munged.log"

  local host ctld_port slurmd_port
  host=$(hostname -s)
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  cat >"$SLURM_CONF" <<EOF
# Written by scripts/slurm-local.sh: a throwaway one-node cluster ('stop' removes this folder)
ClusterName=slurmlocal
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$DIR/munge/socket
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/log/slurmctld.log
SlurmdLogFile=$DIR/log/slurmd.log
# No cgroups, no accounting, no mail: only what running a batch job needs.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
MailProg=/bin/true
# Schedule by CPU only (memory is not tracked), so two 1-CPU tasks share the two CPUs.
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# Start pending array tasks within seconds of a CPU freeing rather than at the default 60 s pass.
SchedulerParameters=sched_interval=2
ReturnToService=2
# A cancelled job gets SIGKILL 5 s after SIGTERM (default 30 s), so stop is quick.
KillWait=5
# The node is declared with 2 CPUs whatever the host has (a 1-core CI runner just oversubscribes).
SlurmdParameters=config_overrides
NodeName=$host NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=local Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF

  slurmctld -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  local state=""
  for _ in $(seq 60); do
    state=$(sinfo -h -N -o '%t' 2>/dev/null || true)
    [ "$state" = "idle" ] && break
    sleep 1
  done
  if [ "$state" != "idle" ]; then
    log "the node is not idle after 60 s (sinfo: '${state:-no answer}')"
    false
  fi
  trap - ERR
  log "cluster up in $DIR (node $host idle); export SLURM_CONF=$SLURM_CONF"
  echo "$DIR"
}

# Kills the processes of the cluster in $1 and removes the folder; refuses a folder this script did not make.
stop_dir() {
  local dir=$1 pids="" p f
  [ -f "$dir/$MARKER" ] || { log "$dir is not a slurm-local cluster"; return 1; }
  # Let Slurm end its jobs first (it knows their processes), waiting while they are completing.
  if [ -s "$dir/slurmctld.pid" ] && command -v scancel >/dev/null; then
    export SLURM_CONF="$dir/slurm.conf"
    timeout 10 scancel --quiet --user="$(id -un)" 2>/dev/null || true
    for _ in $(seq 30); do
      [ -z "$(timeout 5 squeue -h 2>/dev/null)" ] && break
      sleep 0.5
    done
    unset SLURM_CONF
  fi
  for f in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    [ -s "$f" ] && pids="$pids $(cat "$f")"
  done
  # Backstop for job steps and jobs that outlived that: slurmstepd and job processes (those with a SLURM_JOB_ID)
  # whose environment names this cluster's slurm.conf. A shell that merely exported SLURM_CONF is left alone.
  local env
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    env=$(tr '\0' '\n' 2>/dev/null <"/proc/$p/environ") || continue
    grep -qxF "SLURM_CONF=$dir/slurm.conf" <<<"$env" || continue
    if grep -q '^SLURM_JOB_ID=' <<<"$env" || [ "$(cat "/proc/$p/comm" 2>/dev/null)" = slurmstepd ]; then pids="$pids $p"; fi
  done
  if [ -n "${pids// /}" ]; then
    # shellcheck disable=SC2086 # a list of pids
    kill $pids 2>/dev/null || true
    for _ in $(seq 20); do
      local alive=""
      for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done
      [ -z "$alive" ] && break
      pids=$alive
      sleep 0.5
    done
    # shellcheck disable=SC2086
    [ -n "${alive:-}" ] && kill -9 $alive 2>/dev/null || true
  fi
  rm -rf "$dir"
  log "stopped and removed $dir"
}

case "${1:-}" in
  start) [ $# -le 2 ] || usage; start "${2:-}" ;;
  stop) [ $# -eq 2 ] || usage; stop_dir "$2" ;;
  *) usage ;;
esac
