# shellcheck shell=bash
# Shared paths, logging and process helpers for deploy/dev.sh.
# Sourced, never executed: REPO_ROOT must already be set by the caller.

# --- layout -----------------------------------------------------------------
# Everything the stack writes lives under .local/ so a clone stays clean.
# broker/ and web/ hold downloaded jars and npm packages and survive `clean`;
# state/ is disposable.
LOCAL_DIR="$REPO_ROOT/.local"
BROKER_DIR="$LOCAL_DIR/broker"
BROKER_LIB="$BROKER_DIR/lib"
# The npm packages deploy/web pins (setup.sh), which the build embeds.
WEB_PACKAGES="$REPO_ROOT/deploy/web"
WEB_DIR="$LOCAL_DIR/web"

# tools/ holds Prometheus and the manifest validator (setup.sh); it survives
# `clean` too.
TOOLS_DIR="$LOCAL_DIR/tools"
STATE_DIR="$LOCAL_DIR/state"
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"
KAFKA_STATE="$STATE_DIR/kafka"
# Either a directory or a symlink to an out-of-tree folder (see postgres.sh).
PG_LINK="$STATE_DIR/pg"

KAFKA_PORT="${SUCCESSION_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${SUCCESSION_KAFKA_CONTROLLER_PORT:-19093}"
PG_PORT="${SUCCESSION_PG_PORT:-15432}"

# A sanitizer build goes to its own tree so both can coexist.
if [[ "${SUCCESSION_SANITIZE:-0}" == 1 ]]; then
    BUILD_DIR="$REPO_ROOT/build-asan"
else
    BUILD_DIR="$REPO_ROOT/build"
fi
BIN_DIR="$BUILD_DIR/bin"

# --- output -----------------------------------------------------------------
log()  { printf '==> %s\n' "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# Milliseconds since the epoch, for timing start-ups.
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# "12.3" from a millisecond count.
fmt_secs() { printf '%d.%d' $(( $1 / 1000 )) $(( ($1 % 1000) / 100 )); }

is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Run a command with root rights: directly as root, through sudo otherwise.
as_root() {
    if is_root; then "$@"; else sudo "$@"; fi
}

ensure_dirs() {
    mkdir -p "$LOG_DIR" "$RUN_DIR"
}

# --- background processes ---------------------------------------------------
# Each daemon has a pid file in RUN_DIR. A pid only counts as ours when the
# process still runs and its command line contains MARKER, so a pid reused by
# an unrelated process after a crash or reboot is never signalled.
pid_file() { echo "$RUN_DIR/$1.pid"; }

# True while PID exists and is not a zombie: a child of this very script that
# has exited but is not yet reaped must count as gone.
proc_alive() {
    local state
    kill -0 "$1" 2>/dev/null || return 1
    # The state follows the ")" that closes the command name.
    state="$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null)" || return 1
    [[ -n "$state" && "$state" != Z ]]
}

running_pid() {
    local name=$1 marker=$2 file pid
    file="$(pid_file "$name")"
    [[ -f "$file" ]] || return 1
    pid="$(<"$file")"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    proc_alive "$pid" || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
    echo "$pid"
}

# spawn NAME LOGFILE CMD... : start CMD detached in its own session so that
# it outlives this script and a Ctrl-C in the calling terminal.
spawn() {
    local name=$1 logfile=$2
    shift 2
    setsid nohup "$@" >>"$logfile" 2>&1 </dev/null &
    echo $! >"$(pid_file "$name")"
}

# stop_pids TIMEOUT_SECS NAME... : SIGTERM every named daemon that runs, wait
# for all of them together, then SIGKILL what is left. Pid files are removed.
# Each NAME is "name:marker".
stop_pids() {
    local timeout=$1 entry name marker pid waited=0
    shift
    local -a pids=() names=()
    for entry in "$@"; do
        name="${entry%%:*}"
        marker="${entry#*:}"
        if pid="$(running_pid "$name" "$marker")"; then
            log "stopping $name (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            pids+=("$pid")
            names+=("$name")
        fi
        rm -f "$(pid_file "$name")"
    done
    ((${#pids[@]})) || return 0

    local i alive
    while ((waited < timeout * 10)); do
        alive=0
        for pid in "${pids[@]}"; do
            proc_alive "$pid" && alive=1
        done
        ((alive)) || return 0
        sleep 0.1
        waited=$((waited + 1))
    done
    for i in "${!pids[@]}"; do
        if proc_alive "${pids[$i]}"; then
            warn "${names[$i]} did not stop within ${timeout}s; killing it"
            kill -KILL "${pids[$i]}" 2>/dev/null || true
        fi
    done
}
