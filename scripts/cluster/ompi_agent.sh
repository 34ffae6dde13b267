#!/usr/bin/env bash
# Open MPI launch agent (plm_rsh_agent) for the local cluster of scripts/cluster/cluster.sh.
# mpirun calls it as ssh would be called: `ompi_agent.sh [ssh options] HOST COMMAND...`; it runs
# COMMAND (the orted daemon's command line, a shell string) inside HOST's node: its UTS namespace
# (hostname) and network namespace (eth0, /etc/hosts), with a clean environment as ssh gives.
# The agent execs all the way into the shell, so the daemon is mpirun's own child and mpirun's
# teardown (which kills its agents) reaches it even when the node's link is cut.
set -euo pipefail
NAME=${CLUSTER_NAME:-i2vc}
STATE=/run/item2vec-cluster/$NAME
while [ $# -gt 0 ] && [[ $1 == -* ]]; do shift; done   # ssh options such as -x
host=${1:?ompi_agent.sh: no host}
shift
host=${host#*@}
[ -e "$STATE/$host.uts" ] || { echo "ompi_agent.sh: no node '$host' in cluster $NAME" >&2; exit 255; }
exec nsenter --uts="$STATE/$host.uts" ip netns exec "$NAME-$host" \
  env -i PATH="$PATH" HOME="${HOME:-/root}" TMPDIR="${TMPDIR:-/tmp}" CLUSTER_NAME="$NAME" \
  /bin/sh -c "$*"
