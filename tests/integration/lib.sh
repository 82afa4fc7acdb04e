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

IT_NAME="$(basename "${BASH_SOURCE[1]}" .sh)"
IT_TAG="${IT_NAME//[^a-z0-9]/_}_$$"
IT_DIR="$(mktemp -d "${TMPDIR:-/tmp}/succession-it.XXXXXX")"
IT_BASE_DB="$SUCCESSION_DB"
IT_PIDS=()
SERVICES=(vacancy-worker appointment-worker appraisal-worker alert-publisher)

say() { printf '== %s: %s\n' "$IT_NAME" "$*"; }
fail() {
    printf 'FAIL %s: %s\n' "$IT_NAME" "$*" >&2
    for f in "$IT_DIR"/*.log; do
        [[ -f $f ]] || continue
        printf -- '--- last lines of %s\n' "$(basename "$f")" >&2
        tail -n 15 "$f" >&2
    done
    exit 1
}

ctl() { "$SUCCESSION_BIN/successionctl" "$@"; }
sql() { psql "$SUCCESSION_DB" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }

# A fresh database and topic prefix for this test; migrations and topics.
it_setup() {
    local db="it_${IT_TAG}"
    psql "$IT_BASE_DB" -XAtq -c "CREATE DATABASE $db" >/dev/null
    export SUCCESSION_DB="$IT_BASE_DB dbname=$db"
    export SUCCESSION_TOPIC_PREFIX="it.${IT_TAG}."
    export SUCCESSION_LOG_FORMAT=text
    ctl migrate >/dev/null
    ctl topics >/dev/null
    trap it_teardown EXIT
}

it_teardown() {
    local rc=$?
    stop_services
    psql "$IT_BASE_DB" -XAtq -c "DROP DATABASE IF EXISTS it_${IT_TAG} WITH (FORCE)" >/dev/null 2>&1 || true
    if ((rc == 0)); then rm -rf "$IT_DIR"; else echo "logs kept in $IT_DIR" >&2; fi
    exit "$rc"
}

# start_service NAME [ARGS...]: runs one service in the background, logging
# to $IT_DIR/NAME.log (appending, so restarts keep one log).
start_service() {
    local name=$1
    shift
    "$SUCCESSION_BIN/$name" "$@" >>"$IT_DIR/$name.log" 2>&1 &
    IT_PIDS+=("$!")
    echo "$!"
}

start_services() {
    local s
    for s in "${SERVICES[@]}"; do start_service "$s" >/dev/null; done
}

stop_services() {
    local pid
    for pid in "${IT_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${IT_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    IT_PIDS=()
}

# assert_eq WHAT EXPECTED ACTUAL
assert_eq() {
    [[ "$2" == "$3" ]] || fail "$1: expected '$2', got '$3'"
}
