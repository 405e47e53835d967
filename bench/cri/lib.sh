# Shared by bench/cri's throwaway-runtime scripts (baseline-containerd, pouchd). Sourced, not run.

# iptables -D for each nat rule that iptables-save prints matching the regular expression $1
delete_nat_rules() {
  iptables-save -t nat | { grep -E "$1" || true; } | sed 's/^-A /-D /' \
    | while read -r rule; do eval iptables -w -t nat "$rule"; done
}

# removes nat chains (and the rules that jump to them)
delete_nat_chains() {
  local c
  for c in "$@"; do delete_nat_rules "^-A .* -j $c( |\$)"; iptables -w -t nat -F "$c"; done
  for c in "$@"; do iptables -w -t nat -X "$c"; done
}

# sets FREE_OCTET to o such that 10.o.0.0/16 is overlapped by no route and no address of this host, and differs
# from the octets given as arguments (two subnets picked in one run)
pick_free_octet() {
  local o taken
  for _ in $(seq 1 50); do
    o=$((100 + RANDOM % 150))
    for taken in "$@"; do [ "$o" != "$taken" ] || continue 2; done
    if ! ip -4 route show table all | grep -qE "(^| )10\.$o\.|^10\.0\.0\.0/8|^10\.$o/" \
       && ! ip -4 addr | grep -q " 10\.$o\."; then
      FREE_OCTET=$o
      return 0
    fi
  done
  die "no free 10.x.0.0/16 found"
}

# sets FREE_PORT to a TCP port in 30000-59999 that nothing listens on
pick_free_port() {
  for _ in $(seq 1 50); do
    FREE_PORT=$((30000 + RANDOM % 30000))
    [ -n "$(ss -Htln "sport = :$FREE_PORT")" ] || return 0
  done
  die "no free TCP port found"
}

# writes the CNI network list $1 (file): network $2 on bridge $3 with addresses from subnet $4, its IPAM store in
# directory $5 (not the host's /var/lib/cni/networks), and portmap for hostPorts
write_cni_conflist() {
  cat > "$1" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "$2",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$3",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$4"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$5"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
}

# Removes what the CNI plugins made for network $1 on subnet 10.$2.0.0/16 with bridge $3: the bridge, the per-pod
# nat chains (bridge's masquerade CNI-<id>, portmap's CNI-DN-<id>) and rules that name the network or subnet, and
# portmap's shared CNI-HOSTPORT-* chains when $4 (how many there were before the run) is 0 and no other CNI user's
# port mappings are in them (other tests run CNI on this machine at the same time).
remove_cni_leftovers() {
  local net=$1 octet=$2 bridge=$3 before=$4 own own_re
  ip link del "$bridge" 2>/dev/null
  own_re="$net| 10\\.$octet\\."
  own=$(iptables-save -t nat | grep -E '^-A CNI-' | grep -E "$own_re" | awk '{ print $2 }' | grep -vE '^CNI-HOSTPORT-' | sort -u)
  delete_nat_chains $own
  delete_nat_rules "$own_re"
  if [ "$before" = 0 ] && iptables-save -t nat | grep -q '^:CNI-HOSTPORT-DNAT '; then
    if iptables-save -t nat | grep -qE '^-A (CNI-HOSTPORT-DNAT|CNI-DN-)'; then
      echo "left portmap's CNI-HOSTPORT-* chains: another CNI user's port mappings are in them" >&2
    else
      delete_nat_chains CNI-HOSTPORT-DNAT CNI-HOSTPORT-SETMARK CNI-HOSTPORT-MASQ
    fi
  fi
}

# SIGKILL to the processes $@ and all their descendants (children first listed last)
kill_tree() {
  local p
  for p in "$@"; do
    kill -STOP "$p" 2>/dev/null   # no new children while we look
    kill_tree $(pgrep -P "$p" || true)
    kill -KILL "$p" 2>/dev/null
  done
}
