# Shared helpers for the cluster tests: a real local cluster (scripts/cluster/cluster.sh) of
# network namespaces named $CLUSTER_NAME (i2vtest), taken down when the test ends.
# Sourced after tests/integration/lib.sh (ITEM2VEC, REPO, WORK, fail, check_model, ...).
source "$REPO/tests/integration/lib.sh"
export CLUSTER_NAME=i2vtest
export ITEM2VEC_MEMORY_LIMIT_MB=${ITEM2VEC_MEMORY_LIMIT_MB:-}
CLUSTER="$REPO/scripts/cluster/cluster.sh"

# Skips (exit 77) with the reason where network namespaces cannot be made here.
require_namespaces() {
  [ "$(id -u)" = 0 ] || { echo "SKIP: network namespaces need root"; exit 77; }
  command -v ip > /dev/null && command -v nsenter > /dev/null || { echo "SKIP: no iproute2/nsenter"; exit 77; }
  if ! ip netns add "$CLUSTER_NAME-probe" 2> /dev/null; then
    echo "SKIP: cannot create a network namespace here (no CAP_SYS_ADMIN/CAP_NET_ADMIN, or a sandbox)"; exit 77
  fi
  ip netns del "$CLUSTER_NAME-probe"
}

# Brings up N nodes (extra args to `up`); the cluster goes down when the test exits.
cluster_up() {
  require_namespaces
  trap '"$CLUSTER" down > /dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
  "$CLUSTER" up "$@" > /dev/null || fail "cluster up $* failed"
}

# mpirun across the cluster (from node1); the launcher's own stderr line about processes it had
# to kill is kept in the log, so a test can check nothing was left behind.
cluster_mpirun() {
  "$CLUSTER" mpirun -x ITEM2VEC_MEMORY_LIMIT_MB "$@"
}

# Fails when any process is still inside any node of the cluster.
no_processes_left() {
  local k
  for k in $(seq 1 "$1"); do
    [ -z "$("$CLUSTER" pids "node$k")" ] || fail "processes left on node$k: $("$CLUSTER" pids "node$k" | tr '\n' ' ')"
  done
}

# Bytes sent on node K's link.
tx_bytes() {
  ip -n "$CLUSTER_NAME-node$1" -s link show eth0 | awk '/TX:/ { getline; print $1 }'
}
