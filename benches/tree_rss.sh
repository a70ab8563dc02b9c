#!/usr/bin/env bash
# Peak memory of a tree copy between two servers: `fxpc cp -r` against
# lftp `mirror` (FXP forced), and where fxpc's resident pages are at its
# peak.
#
#   bash benches/tree_rss.sh
#
# Loopback only: two `fxpc serve --anonymous write --allow-fxp` on
# 127.0.0.2 and 127.0.0.3, roots on /dev/shm. The tree is TREE_FILES files
# of 1 KiB in directories of 1,000. Runs are interleaved (fxpc, lftp,
# fxpc, …). Per run: wall time, CPU and peak RSS (GNU time -v, "Maximum
# resident set size"); for fxpc also /proc/PID/smaps sampled every 10 ms,
# the sample with the largest RSS kept and summed by kind: the binary's
# code and data, shared libraries, heap, thread stacks, other anonymous
# memory. Every copy is compared with its source; lftp must have used FXP
# (PORT to the source for every file, in the server's debug log).
#
# Environment:
#   TREE_FILES    files in the tree (10000)
#   REPEAT        runs of each tool (3)
#   BENCH_PORT    the servers' port (24031)
#   FXPC_BIN      use this fxpc binary instead of building one
#   SERVER_BIN    another fxpc binary to run the servers with
#   KEEP=1        keep the temp dir (snapshots, logs)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PROJECT=$PWD

TREE_FILES=${TREE_FILES:-10000}
REPEAT=${REPEAT:-3}
PORT=${BENCH_PORT:-24031}
HOST_A=127.0.0.2
HOST_B=127.0.0.3

say() { echo "[bench] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[[ -x /usr/bin/time ]] || die "GNU time is needed (apt-get install time)"
command -v lftp >/dev/null || die "lftp is needed (apt-get install lftp)"
command -v python3 >/dev/null || die "python3 is needed"

if [[ -n ${FXPC_BIN:-} ]]; then
    FXPC=$FXPC_BIN
else
    say "cargo build --release"
    cargo build --release --quiet
    FXPC=${CARGO_TARGET_DIR:-$PROJECT/target}/release/fxpc
fi
[[ -x $FXPC ]] || die "no binary at $FXPC"
SERVER_BIN=${SERVER_BIN:-$FXPC}

TMPBASE=/dev/shm
[[ -d $TMPBASE && -w $TMPBASE ]] || TMPBASE=${TMPDIR:-/tmp}
TMP=$(mktemp -d "$TMPBASE/fxpc-rss.XXXXXX")
A=$TMP/a B=$TMP/b
mkdir -p "$A/tree" "$B" "$TMP/runs" "$TMP/state"
# Private copies: a concurrent `cargo build` must not swap them mid-run.
cp "$FXPC" "$TMP/fxpc" && FXPC=$TMP/fxpc
cp "$SERVER_BIN" "$TMP/fxpc-server" && SERVER_BIN=$TMP/fxpc-server

SERVER_PIDS=()
cleanup() {
    local pid
    for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    if [[ ${KEEP:-0} == 1 ]]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start_server() {
    local name=$1 host=$2 root=$3 pid
    mkdir -p "$TMP/state/$name"
    XDG_STATE_HOME=$TMP/state/$name FXPC_LOG=debug \
        "$SERVER_BIN" serve --root "$root" --listen "$host:$PORT" \
        --anonymous write --allow-fxp --max-per-ip 64 \
        >"$TMP/state/$name.out" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    for _ in $(seq 50); do
        grep -q '^fxpc serve:' "$TMP/state/$name.out" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/state/$name.out" >&2
    die "server $name ($host:$PORT) did not start (port in use? set BENCH_PORT)"
}
start_server src $HOST_A "$A"
start_server dst $HOST_B "$B"
SRC_LOG=$TMP/state/src/fxpc/fxpc.log

say "generating $TREE_FILES × 1 KiB in $A/tree"
python3 - "$A/tree" "$TREE_FILES" <<'EOF'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
data = os.urandom(1024)
for i in range(n):
    d = os.path.join(root, f"d{i // 1000:03}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i % 1000:04}"), "wb") as f:
        f.write(data)
EOF

# The sampler: runs `/usr/bin/time -v CMD`, keeps the /proc/PID/smaps of
# the command's largest sampled RSS and prints one line of JSON.
cat >"$TMP/sample.py" <<'EOF'
import json, re, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
p = subprocess.Popen(["/usr/bin/time", "-v", "-o", out + ".time"] + cmd,
                     stdout=open(out + ".out", "w"), stderr=open(out + ".err", "w"))
def read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None
child, best, snap = None, 0, None
while p.poll() is None:
    if child is None:
        c = (read(f"/proc/{p.pid}/task/{p.pid}/children") or "").split()
        child = int(c[0]) if c else None
    if child:
        st = read(f"/proc/{child}/status") or ""
        m = re.search(r"VmRSS:\s+(\d+)", st)
        if m and int(m.group(1)) > best:
            sm = read(f"/proc/{child}/smaps")
            if sm:
                best, snap = int(m.group(1)), (st, sm)
    time.sleep(0.01)
t = read(out + ".time")
def field(name):
    return re.search(re.escape(name) + r".*: ([0-9.:]+)", t).group(1)
kinds = {}
if snap:
    exe = None
    maps = []
    for line in snap[1].splitlines():
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
        if m:
            maps.append({"perm": m.group(3), "name": m.group(4), "size": int(m.group(2), 16) - int(m.group(1), 16)})
        elif line.startswith("Rss:"):
            maps[-1]["rss"] = int(line.split()[1])
    exe = maps[0]["name"]
    for i, m in enumerate(maps):
        prev = maps[i - 1] if i else None
        if m["name"] == exe:
            k = "binary code" if "x" in m["perm"] else "binary data"
        elif m["name"].startswith("/") and ".so" in m["name"]:
            k = "libraries"
        elif m["name"] in ("[heap]", "[stack]"):
            k = m["name"][1:-1]
        elif m["name"]:
            k = "other files"
        elif prev and prev["perm"].startswith("---") and prev["size"] == 4096:
            k = "thread stacks"
        else:
            k = "other anonymous (malloc arenas, large blocks)"
        kinds[k] = kinds.get(k, 0) + m.get("rss", 0)
    for line in snap[0].splitlines():
        if line.startswith("Threads"):
            k, v = line.split(":")
            kinds[k] = v.strip()
print(json.dumps({"rc": p.returncode, "peak_kib": int(field("Maximum resident set size")),
                  "user": float(field("User time")), "sys": float(field("System time")),
                  "wall": field("Elapsed (wall clock) time"), "at_peak_kib": kinds}))
EOF

copied() {
    local n
    n=$(find "$B/tree" -type f | wc -l)
    ((n == TREE_FILES)) || die "$1: $n of $TREE_FILES files at the destination"
    diff -rq "$A/tree" "$B/tree" >/dev/null || die "$1: the copy differs from the source"
}

declare -A PEAKS
for r in $(seq "$REPEAT"); do
    for tool in fxpc lftp; do
        rm -rf "${B:?}/tree" "$TMP/client"
        mkdir -p "$TMP/client"
        ports0=$(grep -cE '>> (PORT|EPRT) ' "$SRC_LOG" 2>/dev/null || true)
        say "$tool run $r"
        if [[ $tool == fxpc ]]; then
            line=$(XDG_STATE_HOME=$TMP/client XDG_CONFIG_HOME=$TMP/client \
                python3 "$TMP/sample.py" "$TMP/runs/$tool.$r" \
                "$FXPC" cp -r "ftp://$HOST_A:$PORT/tree" "ftp://$HOST_B:$PORT/")
        else
            line=$(HOME=$TMP/client python3 "$TMP/sample.py" "$TMP/runs/$tool.$r" \
                lftp -c "set ftp:use-fxp yes; set ftp:fxp-force yes; set ftp:ssl-allow no;
                         mirror ftp://$HOST_A:$PORT/tree ftp://$HOST_B:$PORT/tree")
        fi
        [[ $line == *'"rc": 0'* ]] || {
            tail -n 20 "$TMP/runs/$tool.$r.err" >&2
            die "$tool run $r failed"
        }
        copied "$tool run $r"
        if [[ $tool == lftp ]]; then
            sleep 0.3 # the server's log writer is asynchronous
            ports=$(($(grep -cE '>> (PORT|EPRT) ' "$SRC_LOG") - ports0))
            ((ports >= TREE_FILES)) || die "lftp did not use FXP (PORT $ports times)"
        fi
        echo "$tool run $r: $line"
        PEAKS[$tool]+="$(grep -o '"peak_kib": [0-9]*' <<<"$line" | grep -o '[0-9]*$') "
    done
done

for tool in fxpc lftp; do
    tr ' ' '\n' <<<"${PEAKS[$tool]}" | grep . | sort -n |
        awk -v tool="$tool" '{a[NR] = $1} END {m = a[int((NR + 1) / 2)]
            printf "%s: median peak RSS %d KiB (%.1f MiB), %d runs, min %d, max %d\n", tool, m, m / 1024, NR, a[1], a[NR]}'
done
