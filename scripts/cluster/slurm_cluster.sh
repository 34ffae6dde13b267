#!/usr/bin/env bash
# Slurm across the local cluster of scripts/cluster/cluster.sh: a controller (slurmctld) and
# munged in node1's namespace, one `slurmd -N nodeK` in each node's namespace, so that
# `sbatch -N 3 scripts/slurm/train.sbatch` runs its ranks on three nodes with srun --mpi=pmix,
# over TCP between the nodes, as on a real HPC cluster.
#
# Contract:
#   - Needs the cluster up (cluster.sh up N); uses all of its nodes. Every daemon runs inside
#     a node's namespaces; config, keys, sockets, logs and state live under the cluster's state
#     directory (/run/item2vec-cluster/$CLUSTER_NAME/slurm); /etc/slurm, /etc/munge and the
#     host's network are never touched. Fixed ports 6817/6818 exist only inside the nodes.
#   - `up` is idempotent (a running instance is kept) and waits until every node is idle;
#     `down` stops every daemon it started by its pid file (and `cluster.sh down` kills
#     whatever is left in the nodes anyway).
#   - `run CMD...` runs CMD in node1 with SLURM_CONF set and the MPI environment a job needs
#     on this cluster (TCP on eth0, root allowed); sbatch passes that environment to the job.
set -euo pipefail

NAME=${CLUSTER_NAME:-i2vc}
HERE=$(cd "$(dirname "$0")" && pwd)
CLUSTER="$HERE/cluster.sh"
BASE=/run/item2vec-cluster/$NAME
STATE=$BASE/slurm
CONF=$STATE/slurm.conf
MSOCK=$STATE/munge/munge.socket

usage() {
  cat <<EOF
usage: $(basename "$0") COMMAND [ARGS]
  up             start munged, slurmctld (node1) and a slurmd on every node of the cluster
                 (cluster.sh up N first); waits until all nodes are idle
  down           stop those daemons (by pid file) and remove the Slurm state
  status         sinfo and squeue of the cluster's Slurm
  run CMD...     run CMD in node1 with SLURM_CONF and the cluster's MPI environment, e.g.
                   $(basename "$0") run sbatch -N 3 --ntasks=3 scripts/slurm/train.sbatch
  sbatch ARGS... shorthand for: run sbatch ARGS...
  conf           print the path of the slurm.conf (export SLURM_CONF=... inside a node)
environment: CLUSTER_NAME (default i2vc), the cluster's name as for cluster.sh
EOF
}

die() { echo "slurm_cluster: $*" >&2; exit 2; }
nodes() { cat "$BASE/nodes" 2> /dev/null || echo 0; }
in_node() { CLUSTER_NAME=$NAME "$CLUSTER" exec "$@"; }
alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2> /dev/null; }

# `ip netns exec` mounts a fresh /sys, without the host's cgroup file systems, and slurmd will
# not start without them: this prints commands that mount the same hierarchies again inside
# the node's own mount namespace (the host's mounts are untouched).
cgroup_mounts() {
  awk '$2 ~ "^/sys/fs/cgroup" && ($3 == "tmpfs" || $3 == "cgroup" || $3 == "cgroup2") {
         printf "mkdir -p %s && mount -t %s -o %s %s %s && ", $2, $3, $4, $3, $2 }' /proc/mounts
}

# The environment a job needs on this cluster; sbatch exports it to the batch script and srun
# to the ranks.
job_env() {
  echo SLURM_CONF="$CONF" OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 \
    OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=eth0 OMPI_MCA_oob_tcp_if_include=eth0 \
    CLUSTER_NAME="$NAME"
}

cmd_up() {
  [ "$(id -u)" = 0 ] || die "needs root (the daemons run as root inside the cluster's namespaces)"
  local n k tool
  n=$(nodes)
  (( n > 0 )) || die "cluster $NAME is not up: run $CLUSTER up N first"
  for tool in munged munge unmunge slurmctld slurmd sbatch sinfo srun; do
    command -v "$tool" > /dev/null || die "'$tool' not found: install slurm-wlm and munge (scripts/install_deps.sh)"
  done
  mkdir -p "$STATE/ctld" "$STATE/munge"
  chmod 0755 "$STATE" "$STATE/munge"   # munged wants its socket's directory reachable by all
  if ! alive "$STATE/munge/munged.pid"; then
    [ -s "$STATE/munge/munge.key" ] || { dd if=/dev/urandom of="$STATE/munge/munge.key" bs=128 count=1 2> /dev/null
                                          chmod 0400 "$STATE/munge/munge.key"; }
    in_node node1 "$(command -v munged)" --socket="$MSOCK" --key-file="$STATE/munge/munge.key" \
      --log-file="$STATE/munge/munged.log" --pid-file="$STATE/munge/munged.pid" \
      --seed-file="$STATE/munge/munged.seed" --force
  fi
  for _ in $(seq 1 50); do munge -S "$MSOCK" -n < /dev/null 2> /dev/null | unmunge -S "$MSOCK" > /dev/null 2>&1 && break; sleep 0.1; done
  munge -S "$MSOCK" -n < /dev/null | unmunge -S "$MSOCK" | grep -q Success || die "munged did not start; see $STATE/munge/munged.log"

  local lines=""
  for k in $(seq 1 "$n"); do
    lines+="NodeName=node$k NodeAddr=10.213.0.$k CPUs=2 Sockets=1 CoresPerSocket=2 ThreadsPerCore=1 RealMemory=4000 State=UNKNOWN"$'\n'
  done
  local conf
  conf=$(sed -e "s|@STATE@|$STATE|g" -e "s|@MUNGE_SOCKET@|$MSOCK|g" "$HERE/slurm.conf.in")
  printf '%s\n' "${conf/@NODES@/${lines%$'\n'}}" > "$CONF.new"
  mv "$CONF.new" "$CONF"
  export SLURM_CONF=$CONF
  alive "$STATE/slurmctld.pid" || in_node node1 slurmctld -c -f "$CONF"
  local mounts
  mounts=$(cgroup_mounts)
  for k in $(seq 1 "$n"); do
    mkdir -p "$STATE/d-node$k" "$STATE/tmp-node$k"
    alive "$STATE/slurmd-node$k.pid" || in_node "node$k" sh -c "${mounts}exec slurmd -N node$k -f $CONF" ||
      die "slurmd on node$k did not start; see $STATE/slurmd-node$k.log"
  done
  local idle=0
  for _ in $(seq 1 150); do
    idle=$(in_node node1 env SLURM_CONF="$CONF" sinfo -h -N -o '%N %T' 2> /dev/null | grep -cE ' (idle|mixed|allocated)$' || true)
    [ "$idle" = "$n" ] && break
    sleep 0.2
  done
  if [ "$idle" != "$n" ]; then
    tail -5 "$STATE"/slurmctld.log "$STATE"/slurmd-node*.log 2> /dev/null >&2 || true
    die "only $idle of $n nodes came up within 30 s (logs above, in $STATE)"
  fi
  echo "slurm on cluster $NAME: up, $n nodes idle (controller on node1; conf $CONF)"
}

cmd_down() {
  local f pid
  for f in "$STATE"/slurmd-node*.pid "$STATE/slurmctld.pid" "$STATE/munge/munged.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2> /dev/null || continue
    for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2> /dev/null || true
  done
  rm -rf "$STATE"
  echo "slurm on cluster $NAME: down"
}

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) [ -f "$CONF" ] || die "slurm on cluster $NAME is not up"
            in_node node1 env SLURM_CONF="$CONF" sh -c 'sinfo -N; squeue' ;;
    run) [ $# -ge 1 ] || die "usage: run CMD..."; [ -f "$CONF" ] || die "slurm on cluster $NAME is not up (run: $0 up)"
         # shellcheck disable=SC2046
         in_node node1 env $(job_env) "$@" ;;
    sbatch) main run sbatch "$@" ;;
    conf) echo "$CONF" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}
main "$@"
