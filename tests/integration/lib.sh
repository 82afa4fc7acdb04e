# shellcheck shell=bash
# Shared by the integration tests: each test gets its own database and its
# own topic prefix on the stack ./deploy/dev.sh test started, runs the real
# services from the build tree, and removes what it made.
#
# Needs SUCCESSION_BROKERS, SUCCESSION_DB (the stack), SUCCESSION_BIN (the
# build's bin/), all set by ctest under ./deploy/dev.sh test.
set -euo pipefail

: "${SUCCESSION_BIN:?run through ctest (./deploy/dev.sh test)}"
: "${SUCCESSION_BROKERS:?the Kafka stack is not configured}"
: "${SUCCESSION_DB:?the PostgreSQL stack is not configured}"

IT_NAME="$(basename "$0" .sh)"
IT_TAG="${IT_NAME//[^a-z0-9]/_}_$$"
IT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/succession-it.XXXXXX")"
IT_BASE_DB="$SUCCESSION_DB"
IT_PIDS=()
SERVICES=(vacancy-worker appointment-worker appraisal-worker alert-publisher)

say() { printf '== %s: %s\n' "$IT_NAME" "$*"; }
show_logs() {
    local f
    for f in "$IT_DIR"/*.log; do
        [[ -f $f ]] || continue
        printf -- '--- last lines of %s\n' "$(basename "$f")" >&2
        tail -n 15 "$f" >&2
    done
}
fail() {
    printf 'FAIL %s: %s\n' "$IT_NAME" "$*" >&2
    show_logs
    exit 1
}

ctl() { "$SUCCESSION_BIN/successionctl" "$@"; }
simulator() { "$SUCCESSION_BIN/succession-simulator" "$@"; }
sql() { psql "$SUCCESSION_DB" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

IT_DBS=()

# it_database [RUN]: a fresh database (one per RUN name), migrated, that
# SUCCESSION_DB then names; dropped when the test exits.
it_database() {
    local db="it_${IT_TAG}${1:+_$1}"
    psql "$IT_BASE_DB" -XAtq -c "CREATE DATABASE $db" >/dev/null
    IT_DBS+=("$db")
    trap it_teardown EXIT
    export SUCCESSION_DB="$IT_BASE_DB dbname=$db"
    export SUCCESSION_LOG_FORMAT=text
    ctl migrate >/dev/null
}

# it_setup [RUN]: a fresh database and topic prefix (one per RUN name, so a
# test can compare runs), migrated, with its topics; the services started
# afterwards use them.
it_setup() {
    it_database "$@"
    export SUCCESSION_TOPIC_PREFIX="it.${IT_TAG}${1:+.$1}."
    ctl topics >/dev/null
}

# it_teardown [STATUS]: stops the services, drops the databases and exits
# with STATUS (by default the status of the command before).
it_teardown() {
    local rc=${1:-$?} db
    stop_services || { rc=1; show_logs; }
    for db in "${IT_DBS[@]}"; do
        psql "$IT_BASE_DB" -XAtq -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    done
    if ((rc == 0)); then rm -rf "$IT_DIR"; else echo "logs kept in $IT_DIR" >&2; fi
    exit "$rc"
}

# start_service NAME [ARGS...]: runs one service in the background, logging
# to $IT_DIR/NAME.log (appending, so restarts keep one log); its pid is in
# STARTED_PID. Not to be called in $(...): the service must be a child of
# the test's own shell, so that the test can wait for it.
start_service() {
    local name=$1
    shift
    "$SUCCESSION_BIN/$name" "$@" >>"$IT_DIR/$name${IT_LOG_SUFFIX:-}.log" 2>&1 &
    STARTED_PID=$!
    IT_PIDS+=("$STARTED_PID")
}

start_services() {
    local s
    for s in "${SERVICES[@]}"; do start_service "$s"; done
}

# Stops every service this test started with SIGTERM. A service must then
# exit 0: a sanitizer report, a crash or a leak makes the test fail (127: the
# test already reaped it; 137: the test killed it on purpose).
stop_services() {
    local pid rc bad=""
    for pid in "${IT_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${IT_PIDS[@]}"; do
        rc=0
        wait "$pid" 2>/dev/null || rc=$?
        [[ $rc == 0 || $rc == 127 || $rc == 137 ]] || bad+=" pid $pid exited $rc;"
    done
    IT_PIDS=()
    [[ -z $bad ]] && return 0
    printf 'FAIL %s: a service did not stop cleanly:%s\n' "$IT_NAME" "$bad" >&2
    return 1
}

# free_port: a TCP port no socket uses now and not handed out before in
# this test (a service may not have bound the last one yet), for a
# service's --http-port: one of SUCCESSION_IT_PORTS (LOW-HIGH) when set,
# else one below the range the system hands out to outgoing connections.
free_port() {
    local port low=20000 high
    high=$(($(cut -f1 /proc/sys/net/ipv4/ip_local_port_range) - 1))
    if [[ -n ${SUCCESSION_IT_PORTS:-} ]]; then
        low=${SUCCESSION_IT_PORTS%-*} high=${SUCCESSION_IT_PORTS#*-}
    fi
    touch "$IT_DIR/ports"
    for port in $(shuf -i "$low-$high" -n 50); do
        grep -qx "$port" "$IT_DIR/ports" && continue
        [[ -z $(ss -Htan "sport = :$port") ]] && { echo "$port" | tee -a "$IT_DIR/ports"; return 0; }
    done
    fail "no free port found"
}

# reap PID SECONDS: waits up to SECONDS for the service PID to exit by
# itself (fails the test otherwise); its exit status is then in
# REAPED_STATUS, and stop_services leaves it be.
reap() {
    local pid=$1 deadline=$((SECONDS + $2)) kept=() p
    while kill -0 "$pid" 2>/dev/null; do
        ((SECONDS < deadline)) || fail "pid $pid still runs after $2 s"
        sleep 0.2
    done
    REAPED_STATUS=0
    wait "$pid" || REAPED_STATUS=$?
    for p in "${IT_PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
    IT_PIDS=("${kept[@]}")
}

# until_true SECONDS WHAT COMMAND...: runs COMMAND every 0.2 s until it
# succeeds; fails the test with WHAT after SECONDS.
until_true() {
    local deadline=$((SECONDS + $1)) what=$2
    shift 2
    until "$@"; do
        ((SECONDS < deadline)) || fail "$what (after $1 s)"
        sleep 0.2
    done
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
    [[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"
}

# The final pictures of every designated post, without the evaluation time
# and cause (which depend on how batches happened to fall), sorted.
final_pictures() {
    ctl status --json | jq -cS 'del(.evaluatedAt, .causedByEventId)' | sort
}

outcome_counts() {
    sql "SELECT string_agg(outcome || '=' || n, ' ' ORDER BY outcome)
         FROM (SELECT outcome, count(*) n FROM event_outcome GROUP BY outcome) t"
}
