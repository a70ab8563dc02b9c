#!/usr/bin/env bash
# Whole-process benchmarks of `fxpc cp` between two local `fxpc serve`
# instances, with lftp between the same servers as the reference.
#
#   bash benches/transfer.sh
#
# Loopback only: the servers listen on 127.0.0.2 and 127.0.0.3 (each pair:
# one with LSTN/SOCK, one with --no-lstn for plain FXP; both --anonymous
# write --allow-fxp, sharing the same two roots). Measured per run: wall
# time, throughput, the client's CPU (user+sys) and peak RSS (GNU time -v),
# and from the servers' debug logs the FTP commands and control sessions
# each copy cost. Every fxpc copy must report `verified` (--json) and every
# copy (fxpc or lftp) is compared byte for byte with its source.
#
# Environment:
#   SMALL_FILES   number of 4 KiB files (500)
#   BIG_MIB       size of the big file in MiB (1024)
#   REPEAT_SMALL  runs per many-small-files measurement; the fastest is kept (1)
#   REPEAT_BIG    runs per big-file measurement (3: on a shared machine a
#                 one-second copy varies by ±50%)
#   BENCH_PORT    first of the two ports used (24021; the next one too)
#   BENCH_TMPDIR  where the roots live (default /dev/shm, a tmpfs: the disk
#                 is not what is measured; needs ~2×BIG_MIB free)
#   KEEP=1        keep the temp dir (server logs, outputs) for inspection
#   FXPC_BIN      use this fxpc binary instead of building one
#   SERVER_BIN    another fxpc binary to run the servers with (experiments)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PROJECT=$PWD

SMALL_FILES=${SMALL_FILES:-500}
SMALL_SIZE=4096
BIG_MIB=${BIG_MIB:-1024}
REPEAT_SMALL=${REPEAT_SMALL:-1}
REPEAT_BIG=${REPEAT_BIG:-3}
PORT_L=${BENCH_PORT:-24021}
PORT_F=$((PORT_L + 1))
HOST_A=127.0.0.2
HOST_B=127.0.0.3

say() { echo "[bench] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# --- prerequisites ---------------------------------------------------------
if [[ ! -x /usr/bin/time ]]; then
    say "installing GNU time (Debian package 'time')"
    if [[ $(id -u) -eq 0 ]]; then apt-get install -y -q time >/dev/null; else sudo apt-get install -y -q time >/dev/null; fi
fi
command -v lftp >/dev/null || die "lftp is needed (apt-get install lftp)"

if [[ -n ${FXPC_BIN:-} ]]; then
    FXPC=$FXPC_BIN
else
    say "cargo build --release"
    cargo build --release --quiet
    FXPC=${CARGO_TARGET_DIR:-$PROJECT/target}/release/fxpc
fi
[[ -x $FXPC ]] || die "no binary at $FXPC"
SERVER_BIN=${SERVER_BIN:-$FXPC}

TMPBASE=${BENCH_TMPDIR:-/dev/shm}
[[ -d $TMPBASE && -w $TMPBASE ]] || TMPBASE=${TMPDIR:-/tmp}
need_mib=$((2 * BIG_MIB + SMALL_FILES * 2 / 100 + 64))
avail_mib=$(df -Pm "$TMPBASE" | awk 'NR==2 {print $4}')
((avail_mib > need_mib)) || die "$TMPBASE has ${avail_mib} MiB free, needs ${need_mib} (set BENCH_TMPDIR)"

TMP=$(mktemp -d "$TMPBASE/fxpc-bench.XXXXXX")
A=$TMP/a   # root of the source servers (127.0.0.2)
B=$TMP/b   # root of the destination servers (127.0.0.3)
mkdir -p "$A" "$B" "$TMP/state/client" "$TMP/runs"
# The clients (fxpc cp) log here too, not into ~/.local/state.
export XDG_STATE_HOME=$TMP/state/client
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

# --- servers ---------------------------------------------------------------
# start_server NAME HOST PORT ROOT [extra flags]
start_server() {
    local name=$1 host=$2 port=$3 root=$4 pid
    shift 4
    mkdir -p "$TMP/state/$name"
    XDG_STATE_HOME=$TMP/state/$name FXPC_LOG=debug \
        "$SERVER_BIN" serve --root "$root" --listen "$host:$port" \
        --anonymous write --allow-fxp "$@" >"$TMP/state/$name.out" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    for _ in $(seq 50); do
        grep -q '^fxpc serve:' "$TMP/state/$name.out" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/state/$name.out" >&2
    die "server $name ($host:$port) did not start (port in use? set BENCH_PORT)"
}
start_server srcL $HOST_A $PORT_L "$A"
start_server dstL $HOST_B $PORT_L "$B"
start_server srcF $HOST_A $PORT_F "$A" --no-lstn
start_server dstF $HOST_B $PORT_F "$B" --no-lstn
SRC_L=ftp://$HOST_A:$PORT_L SRC_F=ftp://$HOST_A:$PORT_F
DST_L=ftp://$HOST_B:$PORT_L DST_F=ftp://$HOST_B:$PORT_F
LOGS=("$TMP"/state/{srcL,dstL,srcF,dstF}/fxpc/fxpc.log)

# --- data ------------------------------------------------------------------
say "generating $SMALL_FILES × $SMALL_SIZE B and one ${BIG_MIB} MiB file in $TMP"
mkdir -p "$A/small" "$A/big"
head -c $((SMALL_FILES * SMALL_SIZE)) /dev/urandom |
    split -b $SMALL_SIZE -a 5 -d - "$A/small/f"
head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"$A/big/big.bin"
BIG_BYTES=$((BIG_MIB * 1024 * 1024))

# --- measuring -------------------------------------------------------------
# Counts over all four servers' logs: commands received, control sessions,
# and the data-connection verbs that tell how the data went.
log_count() { cat "${LOGS[@]}" 2>/dev/null | grep -cE "$1" || true; }
snapshot() {
    sleep 0.3 # the servers' log writer is asynchronous
    S_CMDS=$(log_count '>> [A-Z]')
    S_SESS=$(log_count 'session from')
    S_PORT=$(log_count '>> (PORT|EPRT) ')
    S_PASV=$(log_count '>> (PASV|EPSV)')
    S_LSTN=$(log_count '>> LSTN')
    # fxpc waiting out "421 too many connections"
    S_BUSY=$(grep -c 'server busy' "$XDG_STATE_HOME/fxpc/fxpc.log" 2>/dev/null || true)
}

# Measurements are defined first, then run round-robin: repetition r of
# every measurement before repetition r+1 of any, so a neighbour's build
# that starts mid-run slows all tools alike rather than one of them.
IDS=()
declare -A WHAT TOOL KIND FILES EXPECT BEST WORST ROW

# define ID WHAT TOOL KIND FILES EXPECT -- COMMAND...
#   KIND: small | big (what is checked at the destination afterwards).
#   EXPECT (lftp): fxp | relay, checked in the servers' logs.
define() {
    local id=$1
    IDS+=("$id")
    WHAT[$id]=$2 TOOL[$id]=$3 KIND[$id]=$4 FILES[$id]=$5 EXPECT[$id]=$6
    shift 7
    declare -ga "CMD_$id"
    local -n cmd="CMD_$id"
    cmd=("$@")
}

# run_once ID R: one run on an empty destination, checked; keeps the fastest.
run_once() {
    local id=$1 r=$2
    local what=${WHAT[$id]} tool=${TOOL[$id]} kind=${KIND[$id]} files=${FILES[$id]}
    local -n cmd="CMD_$id"
    rm -rf "${B:?}"/*
    snapshot
    local c0=$S_CMDS s0=$S_SESS p0=$S_PORT v0=$S_PASV l0=$S_LSTN b0=$S_BUSY
    local out=$TMP/runs/$id.$r
    say "$id ($what, $tool) run $r"
    local t0 t1
    t0=$(date +%s.%N)
    if ! /usr/bin/time -v -o "$out.time" "${cmd[@]}" >"$out.out" 2>"$out.err"; then
        tail -n 20 "$out.err" "$out.out" >&2
        die "$id failed: ${cmd[*]}"
    fi
    t1=$(date +%s.%N)
    snapshot
    local cmds=$((S_CMDS - c0)) sess=$((S_SESS - s0)) port=$((S_PORT - p0))
    local pasv=$((S_PASV - v0)) lstn=$((S_LSTN - l0)) busy=$((S_BUSY - b0))

    # Did it copy everything, and how?
    case $kind in
    small) diff -rq "$A/small" "$B/small" >/dev/null || die "$id: $B/small differs from the source" ;;
    big) cmp -s "$A/big/big.bin" "$B/big.bin" || die "$id: $B/big.bin differs from the source" ;;
    esac
    local mode
    if [[ $tool == fxpc ]]; then
        local verified
        verified=$(grep -c '"event":"verified"' "$out.out" || true)
        ((verified == files)) || die "$id: $verified of $files files verified (see $out.out)"
        # The mode of each verified file: "LSTN/SOCK", or "A ×n, B ×m" when mixed.
        mode=$(grep '"event":"verified"' "$out.out" | grep -o '"mode":"[^"]*"' | cut -d'"' -f4 |
            sort | uniq -c | awk '{c = $1; sub(/^ *[0-9]+ /, ""); m[NR] = $0 " ×" c; one = $0}
                END {if (NR == 1) print one; else for (i = 1; i <= NR; i++) printf "%s%s", m[i], (i < NR ? ", " : "\n")}')
        if [[ $mode == LSTN* ]] && ((lstn < files)); then die "$id: LSTN seen only $lstn times"; fi
    else
        # lftp: FXP means the source got PORT and the destination PASV, per file.
        if ((port >= files)); then mode="FXP (PORT src, PASV dst)"; else mode="through the client"; fi
        if [[ ${EXPECT[$id]} == fxp ]] && ((port < files)); then
            die "$id: lftp did not use FXP (PORT seen $port times for $files files)"
        fi
        if [[ ${EXPECT[$id]} == relay ]] && ((port > 0)); then
            die "$id: lftp used PORT $port times in a relay run"
        fi
    fi

    local wall user sys rss cpu rate unit per_file
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
    user=$(awk -F': ' '/User time/ {print $2}' "$out.time")
    sys=$(awk -F': ' '/System time/ {print $2}' "$out.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$out.time")
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN {printf "%.2f", u + s}')
    if [[ $kind == small ]]; then
        rate=$(awk -v n="$files" -v w="$wall" 'BEGIN {printf "%.0f", n / w}')
        unit="files/s"
    else
        rate=$(awk -v n="$BIG_BYTES" -v w="$wall" 'BEGIN {printf "%.0f", n / w / 1e6}')
        unit="MB/s"
    fi
    per_file=$(awk -v c="$cmds" -v n="$files" 'BEGIN {printf "%.1f", c / n}')
    say "  $wall s, $rate $unit, cpu $cpu s, rss $rss MiB, $per_file cmds/file, $sess sessions, mode: $mode (LSTN $lstn, PORT $port, PASV $pasv; 421 waits $busy)"
    if [[ -z ${WORST[$id]:-} ]] || awk -v a="$wall" -v b="${WORST[$id]}" 'BEGIN {exit !(a > b)}'; then
        WORST[$id]=$wall
    fi
    if [[ -z ${BEST[$id]:-} ]] || awk -v a="$wall" -v b="${BEST[$id]}" 'BEGIN {exit !(a < b)}'; then
        BEST[$id]=$wall
        ROW[$id]="$id|$what|$tool|$mode|$wall|$rate|$unit|$cpu|$rss|$per_file|$sess"
    fi
}

repeats() { if [[ ${KIND[$1]} == big ]]; then echo "$REPEAT_BIG"; else echo "$REPEAT_SMALL"; fi; }

# ftp:stat-interval: during a server-to-server copy lftp polls progress with
# `IAC IP IAC` + urgent `DM` + `STAT`; fxpc serve (no SO_OOBINLINE) then reads
# "IAC S" as a Telnet command and answers "502 Command TAT not implemented",
# which lftp treats as fatal. Until the server is fixed, no STAT polling.
LFTP_SET="set ftp:ssl-allow no; set ftp:stat-interval 3600; set net:max-retries 1; set cmd:fail-exit yes"
LFTP_FXP="$LFTP_SET; set ftp:use-fxp yes; set ftp:fxp-force yes"
LFTP_RELAY="$LFTP_SET; set ftp:use-fxp no"
N=$SMALL_FILES
SMALL="$N × 4 KiB"
BIG="1 × ${BIG_MIB} MiB"

# 1. Many small files, tree copy.
define s1 "$SMALL, -j 1" fxpc small "$N" - -- \
    "$FXPC" cp -r -j 1 --connections 1 --json "$SRC_L/small" "$DST_L/"
define s1f "$SMALL, -j 1" fxpc small "$N" - -- \
    "$FXPC" cp -r -j 1 --connections 1 --json --via fxp "$SRC_F/small" "$DST_F/"
define s1l "$SMALL, -j 1" lftp small "$N" fxp -- \
    lftp -c "$LFTP_FXP; mirror $SRC_L/small $DST_L/small"
define s4 "$SMALL, -j 4" fxpc small "$N" - -- \
    "$FXPC" cp -r -j 4 --connections 4 --json "$SRC_L/small" "$DST_L/"
define s4f "$SMALL, -j 4" fxpc small "$N" - -- \
    "$FXPC" cp -r -j 4 --connections 4 --json --via fxp "$SRC_F/small" "$DST_F/"
define s4l "$SMALL, -j 4" lftp small "$N" fxp -- \
    lftp -c "$LFTP_FXP; mirror --parallel=4 $SRC_L/small $DST_L/small"
# 2. One big file between the servers.
define bl "$BIG, server to server" fxpc big 1 - -- \
    "$FXPC" cp --json --via lstn "$SRC_L/big/big.bin" "$DST_L/big.bin"
define bf "$BIG, server to server" fxpc big 1 - -- \
    "$FXPC" cp --json --via fxp "$SRC_F/big/big.bin" "$DST_F/big.bin"
define bfl "$BIG, server to server" lftp big 1 fxp -- \
    lftp -c "$LFTP_FXP; get $SRC_F/big/big.bin -o $DST_F/big.bin"
# 3. The same file through the client.
define br "$BIG, relay" fxpc big 1 - -- \
    "$FXPC" cp --json --via relay "$SRC_F/big/big.bin" "$DST_F/big.bin"
define brl "$BIG, relay" lftp big 1 relay -- \
    lftp -c "$LFTP_RELAY; get $SRC_F/big/big.bin -o $DST_F/big.bin"

say "load before: $(uptime)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
MAX_REPEAT=$((REPEAT_SMALL > REPEAT_BIG ? REPEAT_SMALL : REPEAT_BIG))
for ((r = 1; r <= MAX_REPEAT; r++)); do
    for id in "${IDS[@]}"; do
        if ((r <= $(repeats "$id"))); then run_once "$id" "$r"; fi
    done
done
ROWS=()
for id in "${IDS[@]}"; do
    shown=${BEST[$id]}
    if (($(repeats "$id") > 1)); then shown="${BEST[$id]} (${WORST[$id]})"; fi
    ROWS+=("${ROW[$id]/|${BEST[$id]}|/|$shown|}")
done

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
say "load after: $(uptime)"

# --- report ----------------------------------------------------------------
row() {
    local r
    for r in "${ROWS[@]}"; do
        if [[ $r == "$1|"* ]]; then echo "$r"; fi
    done
    return 0
}
field() { row "$1" | cut -d'|' -f"$2"; }

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before $LOAD_BEFORE, after $LOAD_AFTER; roots on $(df --output=fstype "$TMPBASE" | tail -1) ($TMPBASE); best of $REPEAT_SMALL run(s) for the small files, of $REPEAT_BIG for the big file (the slowest in brackets)."
echo
echo "| Test | Tool | How the data went (verified) | Wall s best (worst) | Throughput | Client CPU s | Client peak RSS MiB | Server cmds/file | Control sessions |"
echo "|---|---|---|---:|---:|---:|---:|---:|---:|"
for r in "${ROWS[@]}"; do
    IFS='|' read -r id what tool mode wall rate unit cpu rss per_file sess <<<"$r"
    echo "| $what | $tool | $mode | $wall | $rate $unit | $cpu | $rss | $per_file | $sess |"
done
echo
echo "fxpc / lftp (throughput ratio: above 1 means fxpc is faster; CPU ratio: below 1 means fxpc uses less client CPU):"
echo
echo "| Comparison | fxpc | lftp | Throughput fxpc/lftp | Client CPU fxpc/lftp |"
echo "|---|---|---|---:|---:|"
compare() {
    local label=$1 f=$2 l=$3
    local fr lr fc lc
    fr=$(field "$f" 6) lr=$(field "$l" 6) fc=$(field "$f" 8) lc=$(field "$l" 8)
    awk -v L="$label" -v fr="$fr" -v lr="$lr" -v fc="$fc" -v lc="$lc" -v u="$(field "$f" 7)" \
        -v fm="$(field "$f" 4)" -v lm="$(field "$l" 4)" 'BEGIN {
            cr = (lc > 0) ? sprintf("%.2f", fc / lc) : "n/a (lftp ≈ 0 s)"
            printf "| %s | %s %s, %s | %s %s, %s | %.2f | %s |\n", L, fr, u, fm, lr, u, lm, fr / lr, cr
        }'
}
compare "$N × 4 KiB, -j 1 (fxpc auto)" s1 s1l
compare "$N × 4 KiB, -j 1 (fxpc --via fxp)" s1f s1l
compare "$N × 4 KiB, -j 4 / --parallel=4 (fxpc auto)" s4 s4l
compare "$N × 4 KiB, -j 4 / --parallel=4 (fxpc --via fxp)" s4f s4l
compare "${BIG_MIB} MiB, fxpc LSTN/SOCK vs lftp FXP" bl bfl
compare "${BIG_MIB} MiB, FXP" bf bfl
compare "${BIG_MIB} MiB, relay through the client" br brl
