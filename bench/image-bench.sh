# Shared by bench/pull and bench/load (sourced, not run): a private Debian dockerd and this checkout's pouchd (else
# an installed one) side by side under $B, the test image as a docker-save tar, CPU accounting and the report.
# The caller sets B (work directory), BRIDGE and BIP (pouchd's bridge) and RUNS, then calls bench_start.
#   POUCHD_JAVA_OPTS="-XX:StartFlightRecording=..." POUCHD_ARGS=--debug: profile pouchd's side (its log is kept as
#   $KEEP_LOG when set); POUCHD_JVM_DEFAULTS=1: the JVM's default flags instead of the launcher's
cd "$(dirname "$0")/.."
. scripts/lib.sh
need_root
DOCKER=${DOCKER_CLI:-docker}

bench_cleanup() {
  set +e
  local f; for f in "$B"/*.pid; do [ -f "$f" ] && kill "$(cat "$f")" 2>/dev/null; done
  sleep 3
  [ -n "${KEEP_LOG:-}" ] && cp "$B/pouchd.log" "$KEEP_LOG"
  grep -o " $B[^ ]*" /proc/self/mountinfo | sort -r | xargs -r -n1 umount -l 2>/dev/null
  rm -rf "$B"
  remove_pouch_bridge "$BRIDGE"
}

wait_ping() { for _ in $(seq 1 600); do curl -sf --unix-socket "$1" http://x/_ping >/dev/null 2>&1 && return 0; sleep 0.1; done; die "no answer on $1"; }

# installs what the benchmark needs ($@: more packages), starts both daemons and waits for them
bench_start() {
  apt_install docker.io "$@" "${RUNTIME_PACKAGES[@]}"
  rm -rf "$B"; mkdir -p "$B"
  if [ -d pouch-daemon/target/classes ]; then   # this checkout's build first: an installed pouchd may be older
    find_jdk25
    # the JVM flags of the launcher scripts/install writes (C1 only, serial GC, unpooled Netty buffers): what an
    # installed pouchd runs with. The JVM's defaults (C2) spent most of a pull's CPU compiling on a fresh daemon.
    local flags=("${POUCHD_JVM_FLAGS[@]}")
    [ -n "${POUCHD_JVM_DEFAULTS:-}" ] && flags=()
    POUCHD=("$JAVA_HOME/bin/java" "${flags[@]}" ${POUCHD_JAVA_OPTS:-} --enable-native-access=ALL-UNNAMED -cp "$PWD/pouch-daemon/target/classes:$PWD/pouch-daemon/target/lib/*" io.pouch.daemon.Pouchd)
  else
    command -v pouchd >/dev/null || die "build first (mvn package) or run scripts/install"
    POUCHD=(pouchd)
  fi
  trap bench_cleanup EXIT
  dockerd --data-root "$B/docker" --exec-root "$B/docker-exec" -H "unix://$B/dockerd.sock" --pidfile "$B/dockerd.pid" \
    --bridge none --iptables=false --ip-masq=false --userland-proxy=false >"$B/dockerd.log" 2>&1 &
  "${POUCHD[@]}" --home-dir "$B/pouch" --exec-root "$B/pouch-run" --listen "unix://$B/pouchd.sock" \
    --pidfile "$B/pouchd.pid" --enable-cri=false --config-file "$B/none.json" --bridge-name "$BRIDGE" --bip "$BIP" ${POUCHD_ARGS:-} >"$B/pouchd.log" 2>&1 &
  wait_ping "$B/dockerd.sock"; wait_ping "$B/pouchd.sock"
}

# the image bench/big:1 as $B/big.tar (docker save format): busybox plus two 29 MiB layers of incompressible bytes,
# or with IMAGE=files two layers of 12,000 files of 0.5-4 KiB each in 300 directories (~27 MB: per-file costs)
bench_build_image() {
  scripts/build-busybox-image "$B/busybox.tar" busybox:latest >/dev/null
  python3 - "$B" "${IMAGE:-big}" <<'PY'
import hashlib, json, os, random, sys, tarfile, io
b = sys.argv[1]; w = os.path.join(b, "img"); os.makedirs(w)
tarfile.open(os.path.join(b, "busybox.tar")).extractall(w)
m = json.load(open(os.path.join(w, "manifest.json")))
cfg_name = m[0]["Config"]; cfg = json.load(open(os.path.join(w, cfg_name)))
for i in range(2):
    d = os.path.join(w, f"extra{i}"); os.makedirs(d)
    with tarfile.open(os.path.join(d, "layer.tar"), "w", format=tarfile.PAX_FORMAT) as t:
        if sys.argv[2] == "files":
            for k in range(300):
                ti = tarfile.TarInfo(f"tree{i}/d{k}"); ti.type = tarfile.DIRTYPE; ti.mode = 0o755; t.addfile(ti)
                for f in range(40):
                    data = os.urandom(random.randint(512, 4096))
                    ti = tarfile.TarInfo(f"tree{i}/d{k}/f{f}"); ti.size = len(data); ti.mode = 0o644; ti.mtime = 1700000000
                    t.addfile(ti, io.BytesIO(data))
        else:
            data = os.urandom(29 << 20)
            ti = tarfile.TarInfo(f"data{i}.bin"); ti.size = len(data); t.addfile(ti, io.BytesIO(data))
    h = hashlib.sha256(open(os.path.join(d, "layer.tar"), "rb").read()).hexdigest()
    cfg["rootfs"]["diff_ids"].append("sha256:" + h); m[0]["Layers"].append(f"extra{i}/layer.tar")
cfg.pop("history", None)
raw = json.dumps(cfg).encode(); name = hashlib.sha256(raw).hexdigest() + ".json"
open(os.path.join(w, name), "wb").write(raw)
m[0]["Config"] = name; m[0]["RepoTags"] = ["bench/big:1"]
json.dump(m, open(os.path.join(w, "manifest.json"), "w"))
with tarfile.open(os.path.join(b, "big.tar"), "w") as t:
    for n in ["manifest.json", name] + m[0]["Layers"]:
        t.add(os.path.join(w, n), arcname=n)
PY
}

now() { date +%s%N; }
cpu_ticks() { # utime+stime (+ children) of the given pids, in clock ticks
  local t=0 p; for p in "$@"; do [ -r "/proc/$p/stat" ] && t=$((t + $(awk '{print $14+$15+$16+$17}' "/proc/$p/stat"))); done; echo $t
}
ctd_of() { pgrep -f "containerd --config $1" | head -1; }
declare -A T C K
# runs "$@" against daemon $1 (its docker CLI is $D), kept when $2 is 1: wall ms, CPU ticks of daemon + containerd
bench_measure() {
  local s=$1 keep=$2 pid ctd c0 k0 a b c1 k1; shift 2
  pid=$(cat "$B/$s.pid")
  if [ $s = pouchd ]; then ctd=$(ctd_of "$B/pouch-run"); else ctd=$(ctd_of "$B/docker-exec"); fi
  c0=$(cpu_ticks "$pid"); k0=$(cpu_ticks $ctd); a=$(now)
  "$@" >/dev/null
  b=$(now); c1=$(cpu_ticks "$pid"); k1=$(cpu_ticks $ctd)
  if [ "$keep" = 1 ]; then
    T[$s]+="$(( (b - a) / 1000000 )) "; C[$s]+="$((c1 - c0 + k1 - k0)) "; K[$s]+="$((k1 - k0)) "
  fi
}
# removes bench/big:1 (pulled as $2) from daemon $1, then syncs: each operation starts with no dirty pages (the last
# one's 63-126 MB would otherwise be written back during the next, whichever daemon's, and fsyncs wait for them)
bench_remove() {
  local D="$DOCKER -H unix://$B/$1.sock"
  $D rmi -f "$($D image inspect -f '{{.Id}}' "$2")" >/dev/null
  [ $1 = dockerd ] && $D image prune -af >/dev/null 2>&1 || true
  sync
}

# prints the table: $1 what was measured (e.g. "pull"), $2 the run's description, $3 the bytes moved
bench_report() {
  python3 - "$1" "$2" "$3" "$RUNS" "$(getconf CLK_TCK)" "${T[dockerd]}" "${T[pouchd]}" "${C[dockerd]}" "${C[pouchd]}" "${K[dockerd]}" "${K[pouchd]}" <<'PY'
import statistics, sys
what, desc, size, runs, hz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
td, tp, cd, cp, kd, kp = ([int(x) for x in a.split()] for a in sys.argv[6:12])
md, mp = statistics.median(td), statistics.median(tp)
cdm, cpm = statistics.median(cd) / hz, statistics.median(cp) / hz
print(f"{what} benchmark: {desc}")
print(f"{'measure':40} {'dockerd':>10} {'pouchd':>10} {'ratio':>7}")
print(f"{what + ' time (ms)':40} {md:10.0f} {mp:10.0f} {mp/md:7.2f}")
print(f"{'throughput (MB/s)':40} {size/1e6/(md/1000):10.1f} {size/1e6/(mp/1000):10.1f} {(md/mp):7.2f}")
print(f"{'CPU seconds (daemon + its containerd)':40} {cdm:10.2f} {cpm:10.2f} {cpm/cdm if cdm else float('nan'):7.2f}")
kdm, kpm = statistics.median(kd) / hz, statistics.median(kp) / hz
print(f"{'  of which containerd':40} {kdm:10.2f} {kpm:10.2f}")
print(f"{'runs (ms)':40} {' '.join(map(str, td)):>10} | {' '.join(map(str, tp))}")
# the machine's speed drifts during a run: each pouchd run against the dockerd run just before it
r = sorted(b / a for a, b in zip(td, tp))
print(f"{'per-round ratio min / median / max':40} {r[0]:.2f} / {statistics.median(r):.2f} / {r[-1]:.2f}")
PY
}
