#!/usr/bin/env bash
# A local multi-node cluster on one machine: N "nodes" as network namespaces, each with its
# own hostname (a persistent UTS namespace) and one link (veth, eth0) to a bridge that lives in
# its own namespace. Open MPI starts ranks in their node through scripts/cluster/ompi_agent.sh.
#
# Contract:
#   - Addresses 10.213.0.K/24 (node K) exist only inside the namespaces made here; nothing is
#     created, routed or changed in the host's own network namespace.
#   - Per-node /etc/hosts through iproute2's per-namespace files (/etc/netns/NS/hosts, which
#     `ip netns exec` mounts over /etc/hosts): every node resolves node1..nodeN.
#   - Optional per-link rate (tc tbf on both ends of each link, so each direction is limited).
#   - Each node's TCP gives up on unacknowledged data after 4 retransmissions (net.ipv4.
#     tcp_retries2 inside the node's namespace; CLUSTER_TCP_RETRIES2 overrides; "stock" leaves the
#     kernel's default, 15, as on a real cluster nobody tuned).
#   - Idempotent: `up` on a cluster already up with the same shape does nothing; with another
#     shape it rebuilds. `down` removes everything `up` made (also after a half-finished up).
#   - Needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN); refuses clearly otherwise.
#   - CLUSTER_NAME (default i2vc) prefixes every namespace and state path, so two clusters
#     (a test's and a user's) can coexist; the hostnames are node1..nodeN in each.
set -euo pipefail

NAME=${CLUSTER_NAME:-i2vc}
STATE=/run/item2vec-cluster/$NAME
BR_NS=$NAME-br
HERE=$(cd "$(dirname "$0")" && pwd)

usage() {
  cat <<EOF
usage: $(basename "$0") COMMAND [ARGS]
  up N [--rate RATE]   make N nodes (node1..nodeN) on a bridge; RATE limits each link (tc
                       units: 100mbit, 1gbit); rebuilds if a cluster of another shape is up
  down                 remove the cluster (namespaces, hosts files, state)
  cut NODE | heal NODE take NODE's link down / up (at the bridge: packets are dropped)
  rate NODE RATE|none  change one node's link rate (a slow node)
  status               nodes, addresses, link state, rates, byte counters, processes
  exec NODE CMD...     run CMD inside NODE (its network, hostname and /etc/hosts)
  mpirun ARGS...       run mpirun on node1 with the cluster's launch agent and TCP on eth0,
                       then kill whatever the job left in any node; exits with mpirun's code
  pids NODE            processes running inside NODE's network namespace
environment: CLUSTER_NAME (default i2vc)
EOF
}

die() { echo "cluster: $*" >&2; exit 2; }

need_root() {
  local eff
  eff=$(awk '/^CapEff:/ {print $2}' /proc/self/status)
  # CAP_NET_ADMIN is bit 12, CAP_SYS_ADMIN bit 21.
  if (( (16#$eff >> 12 & 1) == 0 || (16#$eff >> 21 & 1) == 0 )); then
    die "needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) to make network namespaces; run it with sudo"
  fi
  command -v ip > /dev/null || die "needs iproute2 (ip); install it: apt-get install iproute2"
  command -v unshare > /dev/null && command -v nsenter > /dev/null ||
    die "needs unshare and nsenter (util-linux)"
}

node_ns() { echo "$NAME-$1"; }
count() { cat "$STATE/nodes" 2> /dev/null || echo 0; }
check_node() {
  local n=$1 k
  [[ $n =~ ^node([0-9]+)$ ]] || die "bad node name '$n' (expected node1..node$(count))"
  k=${BASH_REMATCH[1]}
  (( k >= 1 && k <= $(count) )) || die "no node '$n' in cluster $NAME (it has $(count) nodes; is it up?)"
  echo "$k"
}

# tbf needs a bucket of at least one timer tick at the rate; 10 ms of traffic, >= 64 KiB.
set_rate() {
  local ns=$1 dev=$2 rate=$3
  ip -n "$ns" link set "$dev" up
  tc -n "$ns" qdisc del dev "$dev" root 2> /dev/null || true
  [ "$rate" = none ] && return 0
  local bits
  bits=$(tc_bits "$rate")
  local burst=$((bits / 8 / 100))
  (( burst < 65536 )) && burst=65536
  tc -n "$ns" qdisc add dev "$dev" root tbf rate "$rate" burst "$burst" latency 100ms
}

tc_bits() {
  local r=${1,,}
  case $r in
    *gbit) echo $(( ${r%gbit} * 1000000000 )) ;;
    *mbit) echo $(( ${r%mbit} * 1000000 )) ;;
    *kbit) echo $(( ${r%kbit} * 1000 )) ;;
    *bit) echo "${r%bit}" ;;
    *) die "bad rate '$1' (use e.g. 100mbit, 1gbit)" ;;
  esac
}

cmd_down() {
  need_root
  local ns
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$NAME-(node[0-9]+|br)$" || true); do
    ip netns pids "$ns" 2> /dev/null | xargs -r kill -9 2> /dev/null || true
    ip netns del "$ns" 2> /dev/null || true
    rm -rf "/etc/netns/$ns"
  done
  if [ -d "$STATE" ]; then
    local f
    for f in "$STATE"/*.uts; do
      [ -e "$f" ] || continue
      umount "$f" 2> /dev/null || true
      rm -f "$f"
    done
    rm -rf "$STATE"
  fi
}

cmd_up() {
  need_root
  local n=${1:-} rate=none
  [[ $n =~ ^[0-9]+$ ]] && (( n >= 1 && n <= 200 )) || die "up: N must be a number of nodes from 1 to 200"
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --rate) rate=${2:?--rate needs a value}; [ "$rate" = none ] || tc_bits "$rate" > /dev/null; shift 2 ;;
      *) die "up: unknown option '$1'" ;;
    esac
  done
  local shape="$n $rate retries2=${CLUSTER_TCP_RETRIES2:-4}"
  if [ "$(cat "$STATE/shape" 2> /dev/null)" = "$shape" ] && ip netns list | grep -q "^$BR_NS\b"; then
    echo "cluster $NAME: already up ($n nodes, rate $rate)"
    return 0
  fi
  cmd_down
  trap 'echo "cluster: up failed; cleaning up" >&2; cmd_down' ERR
  mkdir -p "$STATE"
  echo "$n" > "$STATE/nodes"
  ip netns add "$BR_NS"
  ip -n "$BR_NS" link set lo up
  ip -n "$BR_NS" link add br0 type bridge
  ip -n "$BR_NS" link set br0 up
  local hosts="127.0.0.1 localhost"$'\n' k
  for k in $(seq 1 "$n"); do hosts+="10.213.0.$k node$k"$'\n'; done
  for k in $(seq 1 "$n"); do
    local ns
    ns=$(node_ns "node$k")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # Both ends are made inside the cluster's namespaces, never in the host's.
    ip -n "$BR_NS" link add "v$k" type veth peer name eth0 netns "$ns"
    ip -n "$BR_NS" link set "v$k" master br0
    ip -n "$ns" addr add "10.213.0.$k/24" dev eth0
    set_rate "$BR_NS" "v$k" "$rate"
    set_rate "$ns" eth0 "$rate"
    # A connection whose data is not acknowledged gives up after 4 retransmissions (about 6 s
    # on this LAN) instead of the kernel's 15 (many minutes): mpirun's teardown then does not
    # wait that long on a lost node it has already sent to (keepalives only probe idle links).
    [ "${CLUSTER_TCP_RETRIES2:-4}" = stock ] ||
      ip netns exec "$ns" sysctl -qw net.ipv4.tcp_retries2="${CLUSTER_TCP_RETRIES2:-4}"
    mkdir -p "/etc/netns/$ns"
    printf '%s' "$hosts" > "/etc/netns/$ns/hosts"
    touch "$STATE/node$k.uts"
    unshare --uts="$STATE/node$k.uts" hostname "node$k"
  done
  echo "$shape" > "$STATE/shape"
  trap - ERR
  echo "cluster $NAME: up, $n nodes (node1..node$n = 10.213.0.1..$n), rate per link: $rate"
}

# Runs CMD in node K: its UTS namespace (hostname), then its network namespace and hosts file.
in_node() {
  local k=$1; shift
  exec nsenter --uts="$STATE/node$k.uts" ip netns exec "$(node_ns "node$k")" "$@"
}

cmd_link() {
  need_root
  local k
  k=$(check_node "$2")
  ip -n "$BR_NS" link set "v$k" "$1"
  # After a heal, addresses that failed to resolve during the cut would answer "no route to
  # host" for a few seconds (FAILED neighbour entries): forget them in every node.
  if [ "$1" = up ]; then
    local j
    for j in $(seq 1 "$(count)"); do ip -n "$(node_ns "node$j")" neigh flush all 2> /dev/null || true; done
  fi
  echo "cluster $NAME: $2 link $1"
}

cmd_status() {
  local n k
  n=$(count)
  (( n > 0 )) || { echo "cluster $NAME: down"; return 0; }
  echo "cluster $NAME: $n nodes, shape $(cat "$STATE/shape" 2> /dev/null)"
  for k in $(seq 1 "$n"); do
    local ns state rx tx q pids
    ns=$(node_ns "node$k")
    ip -n "$BR_NS" -o link show "v$k" | grep -q '<[^>]*\bUP\b' && state=up || state=CUT
    read -r rx tx < <(ip -n "$ns" -s -j link show eth0 2> /dev/null |
      /usr/bin/python3 -c 'import json,sys; s=json.load(sys.stdin)[0]["stats64"]; print(s["rx"]["bytes"], s["tx"]["bytes"])' 2> /dev/null || echo "? ?")
    q=$(tc -n "$ns" qdisc show dev eth0 | awk '/tbf/ {for (i = 1; i <= NF; i++) if ($i == "rate") print $(i + 1)}')
    pids=$(ip netns pids "$ns" 2> /dev/null | wc -l)
    printf 'node%-3s 10.213.0.%-4s link %-4s rate %-8s rx %12s B  tx %12s B  processes %s\n' \
      "$k" "$k" "$state" "${q:-none}" "$rx" "$tx" "$pids"
  done
}

# mpirun on node1 with the launch agent; afterwards every process still inside a node (a rank
# or daemon behind a cut link that mpirun could not reach) is killed, so nothing is orphaned.
# CLUSTER_PLAIN=1: as a user on a real cluster runs it: only what the harness needs (the agent,
# TCP on eth0), no daemon keepalives of the wrapper's own, and nothing reaped afterwards.
cmd_mpirun() {
  need_root
  (( $(count) > 0 )) || die "mpirun: cluster $NAME is not up (run: $0 up N)"
  local rc=0 plain=${CLUSTER_PLAIN:-0} extra=()
  [ "$plain" = 1 ] || extra=(
    OMPI_MCA_oob_tcp_keepalive_time="${OMPI_MCA_oob_tcp_keepalive_time:-2}"
    OMPI_MCA_oob_tcp_keepalive_intvl="${OMPI_MCA_oob_tcp_keepalive_intvl:-1}"
    OMPI_MCA_oob_tcp_keepalive_probes="${OMPI_MCA_oob_tcp_keepalive_probes:-3}")
  CLUSTER_NAME=$NAME "$0" exec node1 env \
    OMPI_MCA_plm_rsh_agent="$HERE/ompi_agent.sh" \
    OMPI_MCA_btl=self,vader,tcp OMPI_MCA_btl_tcp_if_include=eth0 OMPI_MCA_oob_tcp_if_include=eth0 \
    OMPI_MCA_plm_rsh_no_tree_spawn=1 CLUSTER_NAME="$NAME" "${extra[@]}" \
    mpirun "$@" &
  local job=$!
  trap 'kill -TERM $job 2> /dev/null; sleep 1; cmd_reap; exit 143' TERM INT
  wait $job || rc=$?
  trap - TERM INT
  [ "$plain" = 1 ] || cmd_reap
  return $rc
}

# Processes still inside a node after mpirun ended get CLUSTER_REAP_GRACE seconds (default 3)
# to end by themselves (a daemon behind a cut notices its lost mpirun through its keepalive);
# whatever is left then is killed and named on stderr ("killing processes left on nodeK").
cmd_reap() {
  local k ns left grace=${CLUSTER_REAP_GRACE:-3} waited=0
  while (( waited < grace * 5 )); do
    left=""
    for k in $(seq 1 "$(count)"); do left+=$(ip netns pids "$(node_ns "node$k")" 2> /dev/null | tr '\n' ' '); done
    [ -z "${left// /}" ] && return 0
    sleep 0.2
    waited=$((waited + 1))
  done
  for k in $(seq 1 "$(count)"); do
    ns=$(node_ns "node$k")
    left=$(ip netns pids "$ns" 2> /dev/null | tr '\n' ' ')
    if [ -n "$left" ]; then
      # shellcheck disable=SC2086
      echo "cluster: killing processes left on node$k: $(ps -o pid=,comm= -p ${left// /,} 2> /dev/null | awk '{printf "%s%s (%s)", NR > 1 ? ", " : "", $1, $2}')" >&2
      kill -9 $left 2> /dev/null || true
    fi
  done
}

main() {
  local cmd=${1:-}
  [ $# -gt 0 ] && shift
  case $cmd in
    up) cmd_up "$@" ;;
    down) cmd_down; echo "cluster $NAME: down" ;;
    cut) [ $# = 1 ] || die "usage: cut NODE"; cmd_link down "$1" ;;
    heal) [ $# = 1 ] || die "usage: heal NODE"; cmd_link up "$1" ;;
    rate) [ $# = 2 ] || die "usage: rate NODE RATE|none"; need_root; k=$(check_node "$1")
          set_rate "$BR_NS" "v$k" "$2"; set_rate "$(node_ns "$1")" eth0 "$2"; echo "cluster $NAME: $1 rate $2" ;;
    status) cmd_status ;;
    exec) [ $# -ge 2 ] || die "usage: exec NODE CMD..."; need_root; k=$(check_node "$1"); shift; in_node "$k" "$@" ;;
    pids) [ $# = 1 ] || die "usage: pids NODE"; check_node "$1" > /dev/null; ip netns pids "$(node_ns "$1")" ;;
    mpirun) cmd_mpirun "$@" ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}
main "$@"
