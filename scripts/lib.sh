# Shared helpers for the project's scripts. Sourced, not run.

die() { echo "$(basename "$0"): $*" >&2; exit 1; }

need_root() {
  [ "$(id -u)" = 0 ] || die "run as root: pouchd manages containers, mounts and cgroups"
}

# Finds a JDK 25 and exports JAVA_HOME; says what to install when there is none.
find_jdk25() {
  local c
  for c in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25* /usr/lib/jvm/java-25* /usr/lib/jvm/jdk-25* /usr/lib/jvm/*; do
    [ -n "$c" ] && [ -x "$c/bin/javac" ] || continue
    if "$c/bin/java" -version 2>&1 | head -1 | grep -Eq 'version "25([."]|$)'; then
      export JAVA_HOME=$c
      # Maven's own guava uses sun.misc.Unsafe; JDK 25 warns about it on every build
      export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
      return 0
    fi
  done
  die "no JDK 25 found. Install one (for example Temurin 25: the temurin-25-jdk package from Adoptium's apt repository) under /usr/lib/jvm, or set JAVA_HOME to it"
}

# Installs Debian packages that are missing; 'apt-get update' only when something must be installed.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Packages pouchd needs at run time and to build.
# The JVM flags pouchd's launcher runs with (scripts/install), also used by the benchmarks so they measure what is
# installed. C1 only, a capped heap, unpooled Netty buffers keep the idle footprint small (bench/engine-core). G1, not
# Serial: Serial gives the heap back only at a full GC, which an idle daemon never has, so it kept the ~35 MiB a
# workload had left it; G1's periodic collection after 4 s without a GC shrinks it to its free ratio (-15 MiB RSS).
POUCHD_JVM_FLAGS=(-XX:+UseG1GC -XX:G1PeriodicGCInterval=4000 -XX:TieredStopAtLevel=1 -Xms8m -Xmx256m -Xss512k
  -XX:ReservedCodeCacheSize=24m -XX:MaxHeapFreeRatio=20 -XX:MinHeapFreeRatio=5 -XX:TrimNativeHeapInterval=2000
  -Dio.netty.allocator.type=unpooled)
# The JVM flags of the `pouch` launcher (scripts/install), shared with bench/cli so it measures what is installed.
# A CLI command lives a few hundred milliseconds: Serial GC and C1 only start fastest (bench/cli). The JVM's own
# messages go to stderr, never into a command's output, and the CDS archive's dump (its first run) writes no
# warnings (it wrote ~160 [warning][cds] lines to stdout); CDS and AOT errors still show.
POUCH_CLI_JVM_FLAGS=(-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xlog:disable -Xlog:all=warning,cds*=error,aot*=error:stderr)

# Writes the `pouch` launcher $1 for the jars in $2/cli. Its dynamic AppCDS archive $2/pouch.jsa is dumped by the
# first command run and used by every later one: trained by a real command against a real daemon, it measured
# faster than a JDK 25 AOT cache trained at install time, where no daemon answers (bench/cli, docs/BENCHMARKS.md).
write_pouch_launcher() {
  cat > "$1" <<LAUNCH
#!/bin/sh
exec "$JAVA_HOME/bin/java" ${POUCH_CLI_JVM_FLAGS[*]} -XX:+AutoCreateSharedArchive \\
  -XX:SharedArchiveFile="$2/pouch.jsa" -cp "$2/cli/*" io.pouch.cli.Main "\$@"
LAUNCH
  chmod 755 "$1"
}

# pouchd's launcher uses a JDK 25 AOT cache (JEP 483/514) instead: a dynamic archive sits on the JDK's default one,
# which was dumped without --enable-native-access, so every pouchd start logged [error][cds] lines and lost the
# archived module graph. An AOT cache is made with exactly the flags it is used with.
# write_pouchd_launcher writes the `pouchd` launcher $1 for the jars in $2/daemon. A daemon's training needs a whole
# host set up, so the first start records $2/pouchd.aot when it stops (the JVM runs the cache's creation at exit,
# ~4 s, its messages silenced) and later starts use it.
write_pouchd_launcher() {
  cat > "$1" <<LAUNCH
#!/bin/sh
export MALLOC_ARENA_MAX=\${MALLOC_ARENA_MAX:-2}
C="$2/pouchd.aot"
if [ -f "\$C" ]; then A="-XX:AOTCache=\$C"; else A="-XX:AOTCacheOutput=\$C -Xlog:aot*=off,cds*=off"; fi
exec "$JAVA_HOME/bin/java" ${POUCHD_JVM_FLAGS[*]} --enable-native-access=ALL-UNNAMED \$A \\
  -Dpouch.lib="$2" -cp "$2/daemon/*" io.pouch.daemon.Pouchd "\$@"
LAUNCH
  chmod 755 "$1"
}

# libssl3: pouchd hashes pulled layers with libcrypto (C1 has no SHA intrinsic; without it the JDK's is used)
# lxcfs: the /proc view of containers run with --enableLxcfs (pouchd --enable-lxcfs; quickstart starts it, the tests
# run their own on a private mount); btrfs-progs and quota: disk quota (btrfs qgroups, project quota)
RUNTIME_PACKAGES=(containerd runc crun runsc busybox-static iptables containernetworking-plugins tini dumb-init curl libssl3
  lxcfs btrfs-progs quota)
# gcc and libc6-dev build the pod sandbox's static pause (scripts/build-pause-image), pouchd's FIFO holder
# (scripts/build-fifo-holder) and link the native CLI (scripts/build-native-cli, which also needs zlib1g-dev and
# unzip to read the jars' native-image metadata)
BUILD_PACKAGES=(maven golang-github-containerd-containerd-dev libprotobuf-dev gcc libc6-dev zlib1g-dev unzip)
# Only for the tests: real registries on loopback (the tests run `docker-registry serve` themselves); zstd
# compresses a test layer offline; e2fsprogs' chattr makes a FIFO directory immutable (an exec's failure path);
# docker-compose (1.29, the Python one) is a client the end-to-end tests drive (healthcheck dependencies);
# systemd's and procps' files make the rich container and LXCFS tests' systemd image (scripts/build-systemd-image);
# criu: the checkpoint test compares pouchd's refusal with what `criu check` says on the host.
TEST_PACKAGES=(docker-registry apache2-utils openssl zstd e2fsprogs docker-compose systemd procps criu)

POUCH_LIB=${POUCH_LIB:-/usr/local/lib/pouch}
POUCH_BIN=${POUCH_BIN:-/usr/local/bin}

# Removes a test or benchmark pouchd's bridge and the iptables/ip6tables chains named after it (pouchd leaves both when it
# stops, as containers may outlive it; a throwaway daemon's are gone for good). Never touches other bridges' rules.
remove_pouch_bridge() {
  local b=$1 t rule c chains ipt
  for ipt in iptables ip6tables; do
    for t in nat filter; do
      $ipt-save -t $t | grep -E "^-A .* -j POUCH(-[A-Z0-9]+)?-$b( |\$)" | grep -vE "^-A POUCH(-[A-Z0-9]+)?-$b " \
        | sed 's/^-A /-D /' | while read -r rule; do eval $ipt -t $t "$rule"; done
      chains=$($ipt-save -t $t | grep -oE "^:POUCH(-[A-Z0-9]+)?-$b " | tr -d ':')
      for c in $chains; do $ipt -t $t -F "$c"; done
      for c in $chains; do $ipt -t $t -X "$c"; done
    done
  done
  ip link del "$b" 2>/dev/null || true
}

# Writes $1/10-pouch.conflist, the CRI's pod network, unless $1 already holds a CNI config: bridge pcni0 (gateway,
# masquerade, hairpin) with host-local addresses from the first of 10.88.0.0/16 .. 10.99.0.0/16 that no route of
# this host reaches, and portmap for hostPorts (the plugins are Debian's containernetworking-plugins, /usr/lib/cni).
write_default_cni_config() {
  local dir=$1 octet subnet=""
  if ls "$dir"/*.conflist "$dir"/*.conf "$dir"/*.json >/dev/null 2>&1; then
    echo "keeping the CNI config in $dir"
    return 0
  fi
  for octet in $(seq 88 99); do
    if [ -z "$(ip -4 route show to match "10.$octet.0.1")" ] || ip -4 route show to match "10.$octet.0.1" | grep -q '^default'; then
      subnet=10.$octet.0.0/16
      break
    fi
  done
  [ -n "$subnet" ] || { echo "no free 10.88-99.0.0/16 for the pod network: write a CNI config in $dir" >&2; return 0; }
  mkdir -p "$dir"
  cat > "$dir/10-pouch.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "pouch-pods",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "pcni0",
      "isGateway": true,
      "ipMasq": true,
      "hairpinMode": true,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": "$subnet"}]], "routes": [{"dst": "0.0.0.0/0"}]}
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
  echo "wrote the default pod network $dir/10-pouch.conflist ($subnet on bridge pcni0)"
}
