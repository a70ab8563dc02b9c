#!/usr/bin/env bash
# Whole-process benchmarks of `fxpc cp` against lftp between real FTP servers
# (vsftpd, pyftpdlib), the counterpart of benches/transfer.sh (which measures
# against `fxpc serve`).
#
#   bash benches/real_servers.sh
#
# Loopback only, one address per server: vsftpd FXP pair 127.0.0.21 → .22,
# pyftpdlib FXP pair .23 → .24, vsftpd pair refusing FXP (promiscuous=NO)
# .25 → .26. The clients connect from 127.0.0.1. Measured per run: wall time,
# throughput, the client's CPU (user+sys) and peak RSS (GNU time -v), and the
# logins each vsftpd saw ("OK LOGIN" in its log). Every fxpc copy must report
# `verified` for every file (--json); every copy (fxpc or lftp) is compared
# byte for byte with its source. The tools run round-robin and the report
# keeps the median of REPEAT runs.
#
# On loopback a command's round trip costs ~0.05 ms, so the per-file cost is
# the servers' CPU. Across a network each round trip costs milliseconds, and
# how many a tool needs per file (and how many it overlaps: -j, pipelining)
# is what counts. So, unless RTT_MS=0, the vsftpd FXP pair is measured once
# more through benches/delay_proxy.py: one proxy per server, on the server's
# own address (port BENCH_PORT+100), holding every chunk of the control
# connection RTT_MS/2 in each direction (and its connection to the server
# 3×RTT_MS/2, so that the greeting comes 2 RTT after connect(), as over a
# real path). Data connections go server to server, undelayed: the model is a
# client far from two servers that are close to each other. The proxies run
# on the servers' addresses and connect from them, so the PASV replies name
# the address the client connected to and vsftpd sees its usual peers.
#
# Needs root (vsftpd chroots anonymous sessions), /usr/sbin/vsftpd, the `ftp`
# user, lftp and a Python with pyftpdlib.
#
# Environment:
#   SMALL_FILES  number of 4 KiB files in the tree copies (500)
#   RELAY_MIB    size of the file copied through the client, MiB (64)
#   BIG_MIB      size of the file copied by FXP, MiB (1024)
#   RTT_MS       round trip added to the control connections in the latency
#                section, ms (10; 0 skips the section)
#   LATENCY_FILES number of 4 KiB files copied in the latency section (100)
#   LATENCY_MIB  size of the file copied by FXP in the latency section (64)
#   REPEAT       runs per measurement; the median is reported (3)
#   BENCH_PORT   control port of the vsftpd servers (24121, on each address)
#   BENCH_PASV   first passive port; each server gets its own 50 (46000)
#   BENCH_TMPDIR where the roots live (default /dev/shm, a tmpfs: the disk is
#                not what is measured; needs ~2×(BIG_MIB+RELAY_MIB) free)
#   KEEP=1       keep the temp dir (server logs, outputs) for inspection
#   FXPC_BIN     use this fxpc binary instead of building one
#   FXPC_PYTHON  the Python that runs pyftpdlib (.ci/venv/bin/python)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
PROJECT=$PWD

SMALL_FILES=${SMALL_FILES:-500}
SMALL_SIZE=4096
RELAY_MIB=${RELAY_MIB:-64}
BIG_MIB=${BIG_MIB:-1024}
RTT_MS=${RTT_MS:-10}
LATENCY_FILES=${LATENCY_FILES:-100}
LATENCY_MIB=${LATENCY_MIB:-64}
REPEAT=${REPEAT:-3}
PORT=${BENCH_PORT:-24121}
PROXY_PORT=$((PORT + 100))
PASV=${BENCH_PASV:-46000}
VSFTPD=/usr/sbin/vsftpd
PYTHON=${FXPC_PYTHON:-$PROJECT/.ci/venv/bin/python}

say() { echo "[bench] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# --- prerequisites ---------------------------------------------------------
[[ $RTT_MS =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "RTT_MS must be a number of milliseconds (0 skips the latency section)"
LATENCY=$(awk -v r="$RTT_MS" 'BEGIN {print (r > 0)}')
[[ $(id -u) -eq 0 ]] || die "run as root: vsftpd chroots anonymous sessions"
[[ -x $VSFTPD ]] || die "$VSFTPD not found (apt-get install vsftpd)"
FTP_USER=$(id -u ftp 2>/dev/null) || die "no 'ftp' user (the vsftpd package creates it)"
command -v lftp >/dev/null || die "lftp is needed (apt-get install lftp)"
"$PYTHON" -c 'import pyftpdlib' 2>/dev/null || die "no pyftpdlib in $PYTHON (set FXPC_PYTHON)"
PROXY_PYTHON=$(command -v python3 || echo "$PYTHON") # delay_proxy.py needs the standard library only
[[ -x /usr/bin/time ]] || { say "installing GNU time"; apt-get install -y -q time >/dev/null; }

if [[ -n ${FXPC_BIN:-} ]]; then
    FXPC=$FXPC_BIN
else
    say "cargo build --release"
    cargo build --release --quiet
    FXPC=${CARGO_TARGET_DIR:-$PROJECT/target}/release/fxpc
fi
[[ -x $FXPC ]] || die "no binary at $FXPC"

TMPBASE=${BENCH_TMPDIR:-/dev/shm}
[[ -d $TMPBASE && -w $TMPBASE ]] || TMPBASE=${TMPDIR:-/tmp}
need_mib=$((2 * (BIG_MIB + RELAY_MIB) + SMALL_FILES * 3 * 4 / 1024 + 64))
((LATENCY)) && need_mib=$((need_mib + 2 * LATENCY_MIB + LATENCY_FILES * 2 * 4 / 1024))
avail_mib=$(df -Pm "$TMPBASE" | awk 'NR==2 {print $4}')
((avail_mib > need_mib)) || die "$TMPBASE has ${avail_mib} MiB free, needs ${need_mib} (set BENCH_TMPDIR)"

TMP=$(mktemp -d "$TMPBASE/fxpc-real.XXXXXX")
chmod 755 "$TMP"
mkdir -p "$TMP/state" "$TMP/runs"
export XDG_STATE_HOME=$TMP/state # fxpc's client log, not ~/.local/state
# A private copy: a concurrent `cargo build` must not swap it mid-run.
cp "$FXPC" "$TMP/fxpc" && FXPC=$TMP/fxpc

SERVER_PIDS=()
cleanup() {
    local pid groups=()
    # Each server (and delay proxy) leads its own process group (setsid);
    # each vsftpd session leads another one (vsftpd's children). The plain
    # kill covers a server killed before its setsid.
    for pid in "${SERVER_PIDS[@]}"; do groups+=("$pid" $(pgrep -P "$pid" || true)); done
    for pid in "${groups[@]}"; do kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true; done
    for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    for pid in "${groups[@]}"; do # until they are gone (and reaped)
        for _ in $(seq 30); do pgrep -g "$pid" >/dev/null || break; sleep 0.1; done
    done
    # vsftpd leaves the halves of ended sessions to init: wait until reaped.
    for _ in $(seq 30); do
        ps -e -o ppid=,stat=,comm= | awk '$1 == 1 && $2 ~ /^Z/ && $3 == "vsftpd" {f = 1} END {exit !f}' || break
        sleep 0.1
    done
    if [[ ${KEEP:-0} == 1 ]]; then say "kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- servers ---------------------------------------------------------------
NSERVERS=0
next_pasv() { PASV_LO=$((PASV + 50 * NSERVERS)) PASV_HI=$((PASV + 50 * NSERVERS + 49)); NSERVERS=$((NSERVERS + 1)); }

# start_vsftpd NAME HOST YES|NO: the config of Vsftpd::start in
# tests/common/mod.rs. The FTP / is $TMP/NAME/root (root-owned, 755); the
# anonymous sessions write in /pub, owned by ftp.
start_vsftpd() {
    local name=$1 host=$2 promiscuous=$3 dir=$TMP/$1 pid
    mkdir -p "$dir/empty" "$dir/root/pub"
    chown 0:0 "$dir/empty" "$dir/root" && chmod 755 "$dir/empty" "$dir/root"
    chown ftp:ftp "$dir/root/pub" && chmod 755 "$dir/root/pub"
    next_pasv
    cat >"$dir/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
listen_address=$host
listen_port=$PORT
background=NO
anonymous_enable=YES
no_anon_password=YES
anon_root=$dir/root
anon_upload_enable=YES
anon_mkdir_write_enable=YES
anon_other_write_enable=YES
anon_world_readable_only=NO
anon_umask=022
file_open_mode=0666
write_enable=YES
local_enable=NO
allow_writeable_chroot=YES
secure_chroot_dir=$dir/empty
seccomp_sandbox=NO
max_per_ip=0
max_clients=0
pasv_enable=YES
pasv_min_port=$PASV_LO
pasv_max_port=$PASV_HI
pasv_promiscuous=$promiscuous
port_promiscuous=$promiscuous
utf8_filesystem=YES
log_ftp_protocol=YES
vsftpd_log_file=$dir/vsftpd.log
dual_log_enable=YES
xferlog_enable=YES
xferlog_file=$dir/xfer.log
EOF
    setsid "$VSFTPD" "$dir/vsftpd.conf" </dev/null >"$dir/output" 2>&1 &
    pid=$!
    SERVER_PIDS+=("$pid")
    for _ in $(seq 100); do
        [[ -n $(ss -Hltn "src $host:$PORT") ]] && { URL[$name]=ftp://$host:$PORT; return 0; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$dir/output" >&2
    die "vsftpd $name ($host:$PORT) did not start (port in use? set BENCH_PORT)"
}

# start_pyftpd NAME HOST: tests/pyftpd_server.py with --fxp, root $TMP/NAME.
start_pyftpd() {
    local name=$1 host=$2 dir=$TMP/$1 pid port=
    mkdir -p "$dir"
    : >"$TMP/$name.out"
    next_pasv
    setsid "$PYTHON" "$PROJECT/tests/pyftpd_server.py" --host "$host" --port 0 --root "$dir" \
        --passive-ports "$PASV_LO-$PASV_HI" --fxp </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err" &
    pid=$!
    SERVER_PIDS+=("$pid")
    for _ in $(seq 100); do
        port=$(awk '$1 == "ready" {print $2}' "$TMP/$name.out")
        [[ -n $port ]] && { URL[$name]=ftp://$host:$port; return 0; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/$name.err" >&2
    die "pyftpd_server.py $name ($host) did not start"
}

# ProFTPD and Pure-FTPd as .ci/run unpacks them (/opt/fxpc-servers), with
# FXP allowed and one user (fxpc, password fxpc: a test login, named on the
# command line) whose home is $TMP/NAME; the settings of
# tests/common/unpacked.rs.
SERVERS=${FXPC_SERVERS:-/opt/fxpc-servers}
BENCH_HASH='$6$fxpcsalt$0eLkCMtSA0NwDMJCITnZv5SaUIQJbB.e7T7wiNBubzspxdC0QK5pnOsZrHvijQZZ67ks5EqbZ8IcEIST.qGO1/'
wait_port() { # NAME HOST PORT PID WHAT
    for _ in $(seq 100); do
        [[ -n $(ss -Hltn "src $2:$3") ]] && { URL[$1]=ftp://fxpc:fxpc@$2:$3; return 0; }
        kill -0 "$4" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/$1.err" >&2
    die "$5 $1 ($2:$3) did not start"
}
start_proftpd() {
    local name=$1 host=$2 dir=$TMP/$1 etc=$TMP/$1.etc pid
    mkdir -p "$dir" "$etc" && chown ftp:ftp "$dir"
    next_pasv
    echo "fxpc:$BENCH_HASH:$(id -u ftp):$(id -g ftp)::$dir:/bin/sh" >"$etc/passwd"
    echo "ftp:x:$(id -g ftp):" >"$etc/group"
    chmod 600 "$etc/passwd" "$etc/group"
    printf '%s\n' "ServerType standalone" "DefaultAddress $host" "Port $PORT" "SocketBindTight on" \
        "UseIPv6 off" "UseReverseDNS off" "DelayEngine off" "AuthPAM off" "AuthOrder mod_auth_file.c" \
        "AuthUserFile $etc/passwd" "AuthGroupFile $etc/group" "RequireValidShell off" "DefaultRoot ~" \
        "PassivePorts $PASV_LO $PASV_HI" "AllowOverwrite on" "AllowForeignAddress on" \
        "PidFile $etc/pid" "ScoreboardFile $etc/scoreboard" "WtmpLog off" "User nobody" "Group nogroup" \
        "MaxInstances 200" "ModulePath $SERVERS/proftpd/usr/lib/proftpd" "LoadModule mod_digest.c" \
        >"$etc/proftpd.conf"
    setsid "$SERVERS/proftpd/usr/sbin/proftpd" -n -q -c "$etc/proftpd.conf" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err" &
    pid=$!
    SERVER_PIDS+=("$pid")
    wait_port "$name" "$host" "$PORT" "$pid" proftpd
}
start_pureftpd() {
    local name=$1 host=$2 dir=$TMP/$1 etc=$TMP/$1.etc pid
    mkdir -p "$dir" "$etc" && chown ftp:ftp "$dir"
    next_pasv
    echo "fxpc:$BENCH_HASH:$(id -u ftp):$(id -g ftp)::$dir/./::::::::::::" >"$etc/passwd"
    "$SERVERS/pure-ftpd/usr/bin/pure-pw" mkdb "$etc/pdb" -f "$etc/passwd" >/dev/null
    setsid "$SERVERS/pure-ftpd/usr/sbin/pure-ftpd" -S "$host,$PORT" -4 -E -A -H -j -w -c 200 -C 200 \
        -l "puredb:$etc/pdb" -p "$PASV_LO:$PASV_HI" </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err" &
    pid=$!
    SERVER_PIDS+=("$pid")
    wait_port "$name" "$host" "$PORT" "$pid" pure-ftpd
}

# start_proxy NAME HOST PORT: benches/delay_proxy.py on HOST:PROXY_PORT in
# front of HOST:PORT, connecting from HOST, RTT_MS/2 each way.
start_proxy() {
    local name=$1 host=$2 port=$3 pid
    : >"$TMP/$name.out"
    setsid "$PROXY_PYTHON" "$PROJECT/benches/delay_proxy.py" --listen "$host:$PROXY_PORT" \
        --target "$host:$port" --source "$host" --delay-ms "$(awk -v r="$RTT_MS" 'BEGIN {print r / 2}')" \
        </dev/null >"$TMP/$name.out" 2>"$TMP/$name.err" &
    pid=$!
    SERVER_PIDS+=("$pid")
    for _ in $(seq 100); do
        grep -q '^ready' "$TMP/$name.out" && { URL[$name]=ftp://$host:$PROXY_PORT; return 0; }
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$TMP/$name.err" >&2
    die "delay_proxy.py $name ($host:$PROXY_PORT) did not start (port in use? set BENCH_PORT)"
}

# probe_rtt HOST PORT: "GREETING_MS NOOP_MS", the time from connect() to the
# server's greeting and the median NOOP round trip on one control connection.
probe_rtt() {
    "$PROXY_PYTHON" - "$1" "$2" <<'PY'
import socket, sys, time
def reply(f):
    while True:
        line = f.readline()
        if not line:
            sys.exit("connection closed")
        if line[:3].isdigit() and line[3:4] == b" ":
            return line
t0 = time.monotonic()
s = socket.create_connection((sys.argv[1], int(sys.argv[2])))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
f = s.makefile("rb")
reply(f)
greeting = time.monotonic() - t0
rtts = []
for _ in range(9):
    t = time.monotonic()
    s.sendall(b"NOOP\r\n")
    reply(f)
    rtts.append(time.monotonic() - t)
s.sendall(b"QUIT\r\n")
reply(f)
s.close()
print(f"{greeting * 1000:.2f} {sorted(rtts)[4] * 1000:.2f}")
PY
}

declare -A URL
start_vsftpd v21 127.0.0.21 YES
start_vsftpd v22 127.0.0.22 YES
start_pyftpd p23 127.0.0.23
start_pyftpd p24 127.0.0.24
start_vsftpd v25 127.0.0.25 NO
start_vsftpd v26 127.0.0.26 NO
start_proftpd r27 127.0.0.27
start_pureftpd u28 127.0.0.28
# Per pair: source and destination servers, their files on disk and the FTP
# directory the copies use.
declare -A P_SRC=([vf]=v21 [py]=p23 [vr]=v25 [pu]=r27) P_DST=([vf]=v22 [py]=p24 [vr]=v26 [pu]=u28)
declare -A P_SRCDIR=([vf]=$TMP/v21/root/pub [py]=$TMP/p23 [vr]=$TMP/v25/root/pub [pu]=$TMP/r27)
declare -A P_DSTDIR=([vf]=$TMP/v22/root/pub [py]=$TMP/p24 [vr]=$TMP/v26/root/pub [pu]=$TMP/u28)
declare -A P_HOME=([vf]=/pub [py]= [vr]=/pub [pu]=)
if ((LATENCY)); then
    start_proxy d21 127.0.0.21 "$PORT"
    start_proxy d22 127.0.0.22 "$PORT"
    # The vsftpd FXP pair through the proxies: the same servers and directories.
    P_SRC[vd]=v21 P_DST[vd]=v22 P_SRCDIR[vd]=${P_SRCDIR[vf]} P_DSTDIR[vd]=${P_DSTDIR[vf]} P_HOME[vd]=/pub
    probe=$(probe_rtt 127.0.0.21 "$PROXY_PORT") || die "no FTP greeting through the delay proxy"
    read -r RTT_GREET RTT_NOOP <<<"$probe"
    probe=$(probe_rtt 127.0.0.21 "$PORT") || die "no FTP greeting from vsftpd v21"
    read -r DIRECT_GREET DIRECT_NOOP <<<"$probe"
    say "control connection to v21 through the proxy: NOOP round trip $RTT_NOOP ms, greeting $RTT_GREET ms after connect (direct: $DIRECT_NOOP ms, $DIRECT_GREET ms)"
fi

# --- data ------------------------------------------------------------------
say "generating $SMALL_FILES × $SMALL_SIZE B, one ${RELAY_MIB} MiB and one ${BIG_MIB} MiB file in $TMP"
((LATENCY)) && say "  and for the latency section $LATENCY_FILES × $SMALL_SIZE B and one ${LATENCY_MIB} MiB file"
mkdir -p "$TMP/seed/small"
head -c $((SMALL_FILES * SMALL_SIZE)) /dev/urandom | split -b $SMALL_SIZE -a 5 -d - "$TMP/seed/small/f"
cp -r "$TMP/seed/small" "${P_SRCDIR[vf]}/" && cp -r "$TMP/seed/small" "${P_SRCDIR[py]}/"
cp -r "$TMP/seed/small" "${P_SRCDIR[pu]}/"
head -c $((RELAY_MIB * 1024 * 1024)) /dev/urandom >"${P_SRCDIR[vr]}/relay.bin"
head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom >"${P_SRCDIR[vf]}/big.bin"
if ((LATENCY)); then
    mkdir -p "$TMP/seed/smallrtt"
    head -c $((LATENCY_FILES * SMALL_SIZE)) /dev/urandom | split -b $SMALL_SIZE -a 5 -d - "$TMP/seed/smallrtt/f"
    cp -r "$TMP/seed/smallrtt" "${P_SRCDIR[vd]}/"
    head -c $((LATENCY_MIB * 1024 * 1024)) /dev/urandom >"${P_SRCDIR[vd]}/rtt.bin"
fi
rm -rf "$TMP/seed"
for p in vf vr pu; do # vsftpd, ProFTPD and Pure-FTPd sessions run as ftp
    find "${P_SRCDIR[$p]}" -type f -exec chmod 666 {} +
    find "${P_SRCDIR[$p]}" -type d -exec chown ftp:ftp {} +
done

# --- measuring -------------------------------------------------------------
vcount() { if [[ -f $TMP/$1/vsftpd.log ]]; then grep -cE "$2" "$TMP/$1/vsftpd.log" || true; else echo 0; fi; }

# Measurements are defined first, then run round-robin: repetition r of every
# measurement before repetition r+1 of any (odd repetitions in definition
# order, even ones reversed), so a neighbour's load slows all tools alike.
IDS=()
declare -A TOOL PAIR OBJ FILES EXPECT WALLS CPUS RSSS FAILS

# define ID TOOL PAIR OBJ FILES EXPECT -- COMMAND...
#   OBJ: a directory (`small`, `smallrtt`) or a file name, in the pair's FTP home.
#   EXPECT (lftp on vsftpd): fxp | relay, checked with the PORT count in the
#   servers' logs (lftp sends PORT to the source for FXP, only PASV otherwise).
define() {
    local id=$1
    IDS+=("$id")
    TOOL[$id]=$2 PAIR[$id]=$3 OBJ[$id]=$4 FILES[$id]=$5 EXPECT[$id]=$6
    shift 7
    declare -ga "CMD_$id"
    local -n cmd="CMD_$id"
    cmd=("$@")
}

# run_once ID R: one run on an emptied destination, checked.
run_once() {
    local id=$1 r=$2
    local tool=${TOOL[$id]} pair=${PAIR[$id]} obj=${OBJ[$id]} files=${FILES[$id]}
    local src=${P_SRC[$pair]} dst=${P_DST[$pair]} srcdir=${P_SRCDIR[$pair]} dstdir=${P_DSTDIR[$pair]}
    local -n cmd="CMD_$id"
    find "$dstdir" -mindepth 1 -delete
    local ls0 ld0 port0
    ls0=$(vcount "$src" 'OK LOGIN') ld0=$(vcount "$dst" 'OK LOGIN')
    port0=$(($(vcount "$src" '"(PORT|EPRT) ') + $(vcount "$dst" '"(PORT|EPRT) ')))
    local out=$TMP/runs/$id.$r
    say "$id ($tool) run $r"
    local t0 t1
    t0=$(date +%s.%N)
    if ! /usr/bin/time -v -o "$out.time" "${cmd[@]}" >"$out.out" 2>"$out.err"; then
        tail -n 20 "$out.err" "$out.out" >&2
        # lftp's `mirror --parallel` against a threaded pyftpdlib fails now
        # and then under load: a run of the tool compared with is noted and
        # left out, not a reason to lose the whole measurement. fxpc's own
        # failures still stop it.
        if [[ $tool == lftp ]]; then
            say "$id: lftp failed (run $r), left out of the medians"
            FAILS[$id]=$((${FAILS[$id]:-0} + 1))
            return 0
        fi
        die "$id failed (run $r; KEEP=1 keeps the logs): ${cmd[*]}"
    fi
    t1=$(date +%s.%N)
    local logins_s=$(($(vcount "$src" 'OK LOGIN') - ls0)) logins_d=$(($(vcount "$dst" 'OK LOGIN') - ld0))
    local port=$(($(vcount "$src" '"(PORT|EPRT) ') + $(vcount "$dst" '"(PORT|EPRT) ') - port0))

    # Did it copy everything, and how?
    if [[ -d $srcdir/$obj ]]; then
        diff -rq "$srcdir/$obj" "$dstdir/$obj" >/dev/null || die "$id: $dstdir/$obj differs from the source"
    else
        cmp -s "$srcdir/$obj" "$dstdir/$obj" || die "$id: $dstdir/$obj differs from the source"
    fi
    local mode logins="-"
    if [[ $tool == fxpc ]]; then
        local verified
        verified=$(grep -c '"event":"verified"' "$out.out" || true)
        ((verified == files)) || die "$id: $verified of $files files verified (see $out.out)"
        mode=$(grep '"event":"verified"' "$out.out" | grep -o '"mode":"[^"]*"' | cut -d'"' -f4 |
            sort | uniq -c | awk '{c = $1; sub(/^ *[0-9]+ /, ""); printf "%s%s ×%s", (NR > 1 ? ", " : ""), $0, c}')
    elif [[ $src == v* ]]; then
        if ((port >= files)); then mode="FXP (PORT $port)"; else mode="through the client (PORT $port)"; fi
        [[ ${EXPECT[$id]} == fxp ]] && ((port < files)) && die "$id: lftp did not use FXP (PORT seen $port times for $files files)"
        [[ ${EXPECT[$id]} == relay ]] && ((port > 0)) && die "$id: lftp used PORT $port times in a relay run"
    else
        mode="FXP (ftp:fxp-force)"
    fi
    [[ $src == v* ]] && logins="$src $logins_s, $dst $logins_d"

    local wall cpu rss rate
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')
    cpu=$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {printf "%.2f", u + s}' "$out.time")
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2 / 1024}' "$out.time")
    if [[ -d $srcdir/$obj ]]; then
        rate=$(awk -v n="$files" -v w="$wall" 'BEGIN {printf "%.0f files/s", n / w}')
    else
        rate=$(awk -v n="$(stat -c %s "$srcdir/$obj")" -v w="$wall" 'BEGIN {printf "%.0f MB/s", n / w / 1e6}')
    fi
    say "  $wall s, $rate, cpu $cpu s, rss $rss MiB, logins: $logins, mode: $mode"
    WALLS[$id]+=" $wall" CPUS[$id]+=" $cpu" RSSS[$id]+=" $rss"
}

LFTP_SET="set ftp:ssl-allow no; set ftp:stat-interval 3600; set net:max-retries 1; set cmd:fail-exit yes"
LFTP_FXP="$LFTP_SET; set ftp:use-fxp yes; set ftp:fxp-force yes"
LFTP_RELAY="$LFTP_SET; set ftp:use-fxp no"
N=$SMALL_FILES
CASES=() # "label|fxpc id|lftp id"
# fxpc's defaults, as its help states them; lftp mirror's default is one file
# at a time, so the defaults row reuses the `mirror` runs of the -j 1 row.
DEFAULTS=$("$FXPC" cp --help | awk '/--jobs/ {k = 1}
    k && match($0, /\[default: [0-9]+\]/) {print "-j " substr($0, RSTART + 10, RLENGTH - 11) ", as many sessions per site"; exit}') ||
    die "$FXPC cp --help failed"

# 1, 2. The small tree between the FXP pairs, three ways.
for pair in vf py pu; do
    s=${URL[${P_SRC[$pair]}]}${P_HOME[$pair]} d=${URL[${P_DST[$pair]}]}${P_HOME[$pair]}
    case $pair in vf) server=vsftpd ;; py) server=pyftpdlib ;; pu) server="ProFTPD → Pure-FTPd" ;; esac
    define "${pair}1" fxpc "$pair" small "$N" - -- "$FXPC" cp -r -j 1 --connections 1 --json "$s/small" "$d/"
    define "${pair}1l" lftp "$pair" small "$N" fxp -- lftp -c "$LFTP_FXP; mirror $s/small $d/small"
    define "${pair}4" fxpc "$pair" small "$N" - -- "$FXPC" cp -r -j 4 --connections 4 --json "$s/small" "$d/"
    define "${pair}4l" lftp "$pair" small "$N" fxp -- lftp -c "$LFTP_FXP; mirror --parallel=4 $s/small $d/small"
    define "${pair}d" fxpc "$pair" small "$N" - -- "$FXPC" cp -r --json "$s/small" "$d/"
    CASES+=("$server FXP, $N × 4 KiB, -j 1 --connections 1 / mirror|${pair}1|${pair}1l"
        "$server FXP, $N × 4 KiB, -j 4 --connections 4 / mirror --parallel=4|${pair}4|${pair}4l"
        "$server FXP, $N × 4 KiB, defaults ($DEFAULTS) / mirror|${pair}d|${pair}1l")
done
# 3. A file between the vsftpd pair that refuses FXP: through the client.
s=${URL[v25]}/pub d=${URL[v26]}/pub
define vr fxpc vr relay.bin 1 - -- "$FXPC" cp --json "$s/relay.bin" "$d/relay.bin"
define vrl lftp vr relay.bin 1 relay -- lftp -c "$LFTP_RELAY; get $s/relay.bin -o $d/relay.bin"
CASES+=("vsftpd refusing FXP, ${RELAY_MIB} MiB, fxpc auto / lftp get (relay)|vr|vrl")
# 4. The big file by FXP between the vsftpd pair.
s=${URL[v21]}/pub d=${URL[v22]}/pub
define vb fxpc vf big.bin 1 - -- "$FXPC" cp --json --via fxp "$s/big.bin" "$d/big.bin"
define vbl lftp vf big.bin 1 fxp -- lftp -c "$LFTP_FXP; get $s/big.bin -o $d/big.bin"
CASES+=("vsftpd FXP, ${BIG_MIB} MiB, --via fxp / lftp get (FXP)|vb|vbl")
# 5. The vsftpd FXP pair again, through the delay proxies: RTT_MS per command
# round trip. The defaults row reuses the `mirror` runs of the -j 1 row.
if ((LATENCY)); then
    s=${URL[d21]}/pub d=${URL[d22]}/pub L=$LATENCY_FILES R="$RTT_MS ms RTT"
    define d1 fxpc vd smallrtt "$L" - -- "$FXPC" cp -r -j 1 --connections 1 --json "$s/smallrtt" "$d/"
    define d1l lftp vd smallrtt "$L" fxp -- lftp -c "$LFTP_FXP; mirror $s/smallrtt $d/smallrtt"
    define d4 fxpc vd smallrtt "$L" - -- "$FXPC" cp -r -j 4 --connections 4 --json "$s/smallrtt" "$d/"
    define d4l lftp vd smallrtt "$L" fxp -- lftp -c "$LFTP_FXP; mirror --parallel=4 $s/smallrtt $d/smallrtt"
    define dd fxpc vd smallrtt "$L" - -- "$FXPC" cp -r --json "$s/smallrtt" "$d/"
    define db fxpc vd rtt.bin 1 - -- "$FXPC" cp --json --via fxp "$s/rtt.bin" "$d/rtt.bin"
    define dbl lftp vd rtt.bin 1 fxp -- lftp -c "$LFTP_FXP; get $s/rtt.bin -o $d/rtt.bin"
    CASES+=("vsftpd FXP, $R, $L × 4 KiB, -j 1 --connections 1 / mirror|d1|d1l"
        "vsftpd FXP, $R, $L × 4 KiB, -j 4 --connections 4 / mirror --parallel=4|d4|d4l"
        "vsftpd FXP, $R, $L × 4 KiB, defaults ($DEFAULTS) / mirror|dd|d1l"
        "vsftpd FXP, $R, ${LATENCY_MIB} MiB, --via fxp / lftp get (FXP)|db|dbl")
fi

say "load before: $(uptime)"
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for ((r = 1; r <= REPEAT; r++)); do
    order=("${IDS[@]}")
    if ((r % 2 == 0)); then
        order=()
        for ((i = ${#IDS[@]} - 1; i >= 0; i--)); do order+=("${IDS[i]}"); done
    fi
    for id in "${order[@]}"; do run_once "$id" "$r"; done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
say "load after: $(uptime)"

# --- report ----------------------------------------------------------------
# median "V1 V2 ..." (the mean of the middle two for an even count); range: min–max.
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR] = $1} END {if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
range() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk 'NR == 1 {lo = $1} {hi = $1} END {print lo "–" hi}'; }

echo
echo "Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load average before $LOAD_BEFORE, after $LOAD_AFTER; roots on $(df --output=fstype "$TMPBASE" | tail -1) ($TMPBASE); vsftpd $("$VSFTPD" -v 0>&1 2>&1 | grep -o '[0-9][0-9.]*' | head -1), pyftpdlib $("$PYTHON" -c 'import pyftpdlib; print(pyftpdlib.__ver__)'), $(lftp --version | head -1 | grep -o 'Version [0-9.]*' | sed 's/Version/lftp/'); median of $REPEAT run(s), tools interleaved."
echo
echo "| Case | lftp median s | fxpc median s | fxpc/lftp | lftp min–max s | fxpc min–max s | Client CPU s lftp / fxpc | Client peak RSS MiB lftp / fxpc |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for c in "${CASES[@]}"; do
    IFS='|' read -r label f l <<<"$c"
    lw=$(median "${WALLS[$l]}") fw=$(median "${WALLS[$f]}")
    ratio=$(awk -v f="$fw" -v l="$lw" 'BEGIN {if (l > 0) printf "%.2f", f / l; else print "n/a"}')
    echo "| $label | $lw | $fw | $ratio | $(range "${WALLS[$l]}") | $(range "${WALLS[$f]}") |" \
        "$(median "${CPUS[$l]}") / $(median "${CPUS[$f]}") | $(median "${RSSS[$l]}") / $(median "${RSSS[$f]}") |"
done
echo
echo "fxpc/lftp is the ratio of the median wall times: below 1 means fxpc is faster."
for id in "${IDS[@]}"; do
    [[ -n ${FAILS[$id]:-} ]] && echo "$id: lftp failed ${FAILS[$id]} of $REPEAT run(s); its median is over the others."
done
if ((LATENCY)); then
    # Round trips per file, one file at a time: the whole run (connect, login
    # and listing included) over the files, in measured round trips.
    per_rtt() { awk -v w="$(median "${WALLS[$1]}")" -v n="$LATENCY_FILES" -v r="$RTT_NOOP" 'BEGIN {printf "%.1f ms/file = %.1f RTT", w / n * 1000, w / n * 1000 / r}'; }
    echo
    echo "RTT rows: control connections through benches/delay_proxy.py, $RTT_MS ms round trip set, $RTT_NOOP ms" \
        "measured (NOOP; direct $DIRECT_NOOP ms), greeting $RTT_GREET ms after connect (direct $DIRECT_GREET ms);" \
        "data connections direct. At -j 1 (whole run / files): lftp mirror $(per_rtt d1l), fxpc $(per_rtt d1)."
fi
