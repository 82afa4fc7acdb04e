# shellcheck shell=bash
# The project's long-running services, started from the build tree.

WORKERS=(vacancy-worker appointment-worker appraisal-worker alert-publisher succession-dashboard)
# The dashboard's page and API, on loopback.
DASHBOARD_PORT="${SUCCESSION_DASHBOARD_PORT:-18090}"
DASHBOARD_URL="http://127.0.0.1:$DASHBOARD_PORT/"
WORKER_STOP_TIMEOUT=20

# Matched against the command line; "bin/NAME" fits build/ and build-asan/.
worker_marker() { echo "bin/$1"; }

# The environment the services and tools read; `env` prints the same values.
export_stack_env() {
    export SUCCESSION_BROKERS="127.0.0.1:$KAFKA_PORT"
    export SUCCESSION_DB="host=127.0.0.1 port=$PG_PORT dbname=$PG_DB user=$PG_ROLE"
    export PGHOST=127.0.0.1 PGPORT="$PG_PORT" PGDATABASE="$PG_DB" PGUSER="$PG_ROLE"
    export PATH="$BIN_DIR:$PATH"
}

print_stack_env() {
    printf 'export SUCCESSION_BROKERS=%q\n' "127.0.0.1:$KAFKA_PORT"
    printf "export SUCCESSION_DB='host=127.0.0.1 port=%s dbname=%s user=%s'\n" "$PG_PORT" "$PG_DB" "$PG_ROLE"
    printf 'export PGHOST=127.0.0.1 PGPORT=%q PGDATABASE=%q PGUSER=%q\n' "$PG_PORT" "$PG_DB" "$PG_ROLE"
    # shellcheck disable=SC2016 # $PATH and $SUCCESSION_BROKERS expand at eval
    printf 'export PATH=%q:"$PATH"\n# kcat -b "$SUCCESSION_BROKERS" -L\n' "$BIN_DIR"
}

# successionctl SUBCOMMAND...: tolerated when not built yet, so the stack
# itself can be brought up before the services exist.
run_ctl_if_built() {
    local ctl="$BIN_DIR/successionctl"
    if [[ ! -x "$ctl" ]]; then
        warn "${ctl#"$REPO_ROOT"/} not built; skipping 'successionctl $1'"
        return 0
    fi
    log "successionctl $*"
    "$ctl" "$@"
}

start_workers() {
    local name bin pid
    local -a started=()
    for name in "${WORKERS[@]}"; do
        bin="$BIN_DIR/$name"
        if [[ ! -x "$bin" ]]; then
            warn "${bin#"$REPO_ROOT"/} not built; not starting it"
            continue
        fi
        if pid="$(running_pid "$name" "$(worker_marker "$name")")"; then
            log "$name already running (pid $pid)"
            continue
        fi
        log "starting $name"
        local -a args=()
        [[ $name == succession-dashboard ]] && args=(--dashboard-port "$DASHBOARD_PORT")
        spawn "$name" "$LOG_DIR/$name.log" "$bin" "${args[@]}"
        started+=("$name")
    done
    ((${#started[@]})) || return 0
    # A service that fails on start (bad config, broker refused) usually
    # does so at once: say so here instead of leaving a stale pid file.
    sleep 1
    for name in "${started[@]}"; do
        running_pid "$name" "$(worker_marker "$name")" >/dev/null \
            || warn "$name exited right after start; see $LOG_DIR/$name.log"
    done
}

running_workers() {
    local name
    for name in "${WORKERS[@]}"; do
        running_pid "$name" "$(worker_marker "$name")" >/dev/null && printf '%s ' "$name"
    done
    return 0
}

stop_workers() {
    local name
    local -a entries=()
    for name in "${WORKERS[@]}"; do
        entries+=("$name:$(worker_marker "$name")")
    done
    stop_pids "$WORKER_STOP_TIMEOUT" "${entries[@]}"
}
