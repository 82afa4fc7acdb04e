#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR
# Local development stack: Kafka (KRaft, single node), PostgreSQL 15 and the
# project's services, all from this clone. See `deploy/dev.sh help`.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIB_DIR="$REPO_ROOT/deploy/lib"

# shellcheck source=lib/common.sh
source "$LIB_DIR/common.sh"
# shellcheck source=lib/setup.sh
source "$LIB_DIR/setup.sh"
# shellcheck source=lib/kafka.sh
source "$LIB_DIR/kafka.sh"
# shellcheck source=lib/postgres.sh
source "$LIB_DIR/postgres.sh"
# shellcheck source=lib/workers.sh
source "$LIB_DIR/workers.sh"
# shellcheck source=lib/fresh.sh
source "$LIB_DIR/fresh.sh"

DEMO_DIR="$REPO_ROOT/deploy/demo"

usage() {
    cat <<EOF
usage: deploy/dev.sh COMMAND [ARGS]

  setup     install missing Debian packages, fetch the Kafka broker jars
  build     configure and build into build/ (build-asan/ with SUCCESSION_SANITIZE=1)
  up        setup, build, start Kafka + PostgreSQL, migrate, create topics,
            start the services
  down      stop the services, Kafka and PostgreSQL
  demo      up, then import the demo data and publish the demo events
  test      setup, build, start Kafka + PostgreSQL, run ctest [ARGS], stop
            what it started (e.g. deploy/dev.sh test -L unit)
  package   build/succession-watch_<version>_<arch>.deb (cpack, tests off)
  bench     events/s batched and per-event, alert latency, memory, on the local stack
  fresh-check [ARGS]
            test [ARGS] in a bare Debian 12 root (mmdebstrap + chroot) from
            a clean clone of HEAD (uncommitted changes left out); needs root
            and network; slow (e.g. deploy/dev.sh fresh-check -L unit)
  clean     down, then delete .local/state (keeps broker jars and builds)
  env       print export lines for the stack: eval "\$(deploy/dev.sh env)"
  kafka-stop, kafka-start, pg-stop, pg-start
            stop or start one part of the running stack (the fault tests do)
  help      this text

environment:
  SUCCESSION_KAFKA_PORT             broker port (19092)
  SUCCESSION_KAFKA_CONTROLLER_PORT  KRaft controller port (19093)
  SUCCESSION_PG_PORT                PostgreSQL port (15432)
  SUCCESSION_DASHBOARD_PORT         the dashboard's port on 127.0.0.1 (18090)
  SUCCESSION_SANITIZE=1             use the sanitizer build in build-asan/
  FRESH_KAFKA_PORT, FRESH_KAFKA_CONTROLLER_PORT, FRESH_PG_PORT
                                    ports inside fresh-check (29092, 29093, 25432)
  FRESH_KEEP=1                      keep the root of a failed fresh-check
  SUCCESSION_IT_PORTS=LOW-HIGH      ports the integration tests give the services
                                    and Prometheus (default: from 20000 up to the
                                    system's range for outgoing connections)
Other variables (e.g. SUCCESSION_NOW) pass through to the services.
EOF
}

rel() { echo "${1#"$REPO_ROOT"/}"; }

cmd_build() {
    if [[ ! -f "$REPO_ROOT/CMakeLists.txt" ]]; then
        warn "no CMakeLists.txt; nothing to build"
        return 0
    fi
    local -a opts=(-DCMAKE_BUILD_TYPE=RelWithDebInfo)
    [[ "${SUCCESSION_SANITIZE:-0}" == 1 ]] && opts+=(-DSUCCESSION_SANITIZE=ON)
    log "building into $(rel "$BUILD_DIR")"
    cmake -S "$REPO_ROOT" -B "$BUILD_DIR" -G Ninja "${opts[@]}"
    cmake --build "$BUILD_DIR"
}

print_summary() {
    local workers
    workers="$(running_workers)"
    workers="${workers% }"
    cat <<EOF

Stack is up.
  Kafka       127.0.0.1:$KAFKA_PORT
  PostgreSQL  127.0.0.1:$PG_PORT  database $PG_DB, user $PG_ROLE
  services    ${workers:-none running}
  dashboard   $DASHBOARD_URL
  logs        $(rel "$LOG_DIR")/
Point tools at it:  eval "\$(deploy/dev.sh env)"
Stop it:            deploy/dev.sh down
EOF
}

cmd_up() {
    cmd_setup
    cmd_build
    start_kafka
    start_pg
    export_stack_env
    run_ctl_if_built migrate
    run_ctl_if_built topics
    start_workers
    print_summary
}

cmd_down() {
    # Nothing to stop without a state dir; also keeps `down` from creating one.
    [[ -d "$STATE_DIR" ]] || return 0
    stop_workers
    stop_kafka
    stop_pg
}

cmd_clean() {
    cmd_down
    remove_pg_out_of_tree
    log "removing $(rel "$STATE_DIR")"
    rm -rf "$STATE_DIR"
}

heading() { printf '\n--- %s\n' "$*"; }

# The national example: generated (seeded, so every run is the same), then
# run through every service as a user would, alerts shown as they arrive.
run_demo() {
    local ctl="$BIN_DIR/successionctl" simulator="$BIN_DIR/succession-simulator"
    local demo="$STATE_DIR/demo"
    [[ -x "$ctl" ]] || die "$(rel "$ctl") not built"
    [[ -x "$simulator" ]] || die "$(rel "$simulator") not built"
    mkdir -p "$demo"
    heading "1/6 generate the national example (seed ${SUCCESSION_DEMO_SEED:-2026})"
    "$simulator" --out "$demo" --seed "${SUCCESSION_DEMO_SEED:-2026}"
    heading "2/6 import organisations and posts"
    "$ctl" import --organisations "$demo/organisations.csv" --posts "$demo/posts.csv"
    # Registering the posts raises their first alerts; let those go out
    # before following the topic, so what follows is what the events cause.
    "$ctl" wait --timeout 120
    heading "3/6 publish the events; alerts as they arrive"
    "$ctl" alerts >"$demo/alerts.txt" 2>&1 &
    local alerts_pid=$! t0
    tail -n +1 --pid="$alerts_pid" -f "$demo/alerts.txt" 2>/dev/null | head -n 25 &
    t0="$(now_ms)"
    "$ctl" publish --unchecked "$demo/events.jsonl" || true
    heading "4/6 wait for every worker to catch up"
    "$ctl" wait --timeout 600
    log "first publish to caught up: $(fmt_secs $(( $(now_ms) - t0 )))s"
    sleep 1
    kill "$alerts_pid" 2>/dev/null || true
    wait "$alerts_pid" 2>/dev/null || true
    log "$(wc -l <"$demo/alerts.txt") alerts in $(rel "$demo/alerts.txt")"
    heading "5/6 at-risk posts by severity and region"
    "$ctl" status --summary
    echo
    "$ctl" status | head -n 30
    echo "(the full table: successionctl status; every post as JSON: successionctl status --json)"
    psql -XAtq -F ' ' -c "SELECT 'events:', string_agg(outcome || ' ' || n, ', ' ORDER BY outcome)
                          FROM (SELECT outcome, count(*) n FROM event_outcome GROUP BY 1) t"
    heading "6/6 the programme's view: cover counted once per person"
    "$ctl" report | sed -n '1,/^REGION/p' | sed '$d'
    "$ctl" report | sed -n '/^Most shared/,/^$/p'
    echo "(regions, roles and the contended posts: successionctl report; the weakest posts"
    echo " outside the designated ones: successionctl candidates)"
    heading "the dashboard: $DASHBOARD_URL"
}

cmd_demo() {
    cmd_up
    run_demo
}

# The libFuzzer harnesses: a clang build with the sanitizers, apart.
FUZZ_BUILD_DIR="$REPO_ROOT/build-fuzz"
build_fuzzers() {
    local -a targets
    CC=clang cmake -S "$REPO_ROOT" -B "$FUZZ_BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DSUCCESSION_FUZZ=ON -DSUCCESSION_SANITIZE=ON \
        -DSUCCESSION_FUZZ_SECONDS="${SUCCESSION_FUZZ_SECONDS:-30}" >/dev/null
    mapfile -t targets < <(cd "$REPO_ROOT/tests/fuzz" && ls fuzz_*.c | sed 's/\.c$//')
    cmake --build "$FUZZ_BUILD_DIR" --target "${targets[@]}"
}

# Set by cmd_test: which parts it started and so must stop again.
TEST_STARTED_KAFKA=0
TEST_STARTED_PG=0
TEST_T0=0
TEST_READY=""

test_finish() {
    local rc=$?
    if ((TEST_STARTED_KAFKA)); then stop_kafka || warn "could not stop Kafka"; fi
    if ((TEST_STARTED_PG)); then stop_pg || warn "could not stop PostgreSQL"; fi
    printf '\ntest: total %ss, broker ready %s\n' \
        "$(fmt_secs $(( $(now_ms) - TEST_T0 )))" "${TEST_READY:-n/a}"
    exit "$rc"
}

cmd_test() {
    TEST_T0="$(now_ms)"
    cmd_setup
    cmd_build
    if [[ "${SUCCESSION_SANITIZE:-0}" != 1 && $# -eq 0 ]]; then
        (SUCCESSION_SANITIZE=1 BUILD_DIR="$REPO_ROOT/build-asan" cmd_build)
    fi
    ensure_dirs
    kafka_pid >/dev/null || TEST_STARTED_KAFKA=1
    pg_running || TEST_STARTED_PG=1
    # Stop what we started on any exit, including failures and Ctrl-C.
    trap test_finish EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    start_kafka
    if ((TEST_STARTED_KAFKA)); then
        TEST_READY="after $(fmt_secs "$(<"$KAFKA_READY_FILE")")s"
    else
        TEST_READY="(was already running)"
    fi
    start_pg
    export_stack_env
    log "ctest $*"
    local rc=0
    ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j2 "$@" || rc=$?
    # The same tests again with AddressSanitizer and UndefinedBehaviorSanitizer
    # (any report fails the test), unless a sanitizer build was asked for
    # already or ctest arguments narrowed the run.
    if [[ "${SUCCESSION_SANITIZE:-0}" != 1 && $# -eq 0 ]]; then
        log "ctest (address and undefined-behaviour sanitizers)"
        ctest --test-dir "$REPO_ROOT/build-asan" --output-on-failure --no-tests=error -j2 -LE faults -E '^format$' || rc=$?
        log "fuzzing each target for ${SUCCESSION_FUZZ_SECONDS:-30}s (libFuzzer), and its regressions"
        build_fuzzers && ctest --test-dir "$FUZZ_BUILD_DIR" --output-on-failure --no-tests=error -j2 -R '^fuzz_' || rc=$?
    fi
    exit "$rc"
}

# The Debian package, from a build of its own without tests (cmocka is then
# not needed); prints the package's path.
cmd_package() {
    cmd_setup
    # cpack finds the library dependencies with dpkg-shlibdeps, and the
    # binaries among the files with `file`; only packaging needs it.
    pkg_installed file || as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends file
    local dir="$REPO_ROOT/build-package"
    log "building the package in $(rel "$dir")"
    cmake -S "$REPO_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF >/dev/null
    cmake --build "$dir"
    (cd "$dir" && cpack -G DEB >/dev/null)
    ls "$dir"/succession-watch_*.deb
}

# The benchmark on the local stack (started and stopped like `test`); it
# draws its chart with gnuplot, installed here as only the benchmark needs it.
cmd_bench() {
    cmd_setup
    pkg_installed gnuplot-nox || as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -q --no-install-recommends gnuplot-nox
    # A broker started here runs as it would in production: both JIT tiers.
    KAFKA_JVM_OPTS="${SUCCESSION_KAFKA_JVM_OPTS:--Xms512m -Xmx1g -XX:+UseSerialGC}"
    cmd_build
    ensure_dirs
    kafka_pid >/dev/null || TEST_STARTED_KAFKA=1
    pg_running || TEST_STARTED_PG=1
    TEST_T0="$(now_ms)"
    trap test_finish EXIT
    start_kafka
    start_pg
    export_stack_env
    SUCCESSION_BIN="$BIN_DIR" SUCCESSION_SOURCE_DIR="$REPO_ROOT" bash "$REPO_ROOT/tests/bench/bench.sh"
}

main() {
    local cmd="${1:-help}"
    (($#)) && shift
    case "$cmd" in
        setup) cmd_setup ;;
        build) cmd_build ;;
        up)    cmd_up ;;
        down)  cmd_down ;;
        demo)  cmd_demo ;;
        test)  cmd_test "$@" ;;
        bench) cmd_bench ;;
        package) cmd_package ;;
        fresh-check) cmd_fresh_check "$@" ;;
        clean) cmd_clean ;;
        env)   print_stack_env ;;
        # One part of the running stack, for the fault tests.
        kafka-stop)  stop_kafka ;;
        kafka-start) ensure_dirs; start_kafka ;;
        pg-stop)     stop_pg ;;
        pg-start)    ensure_dirs; start_pg ;;
        help|-h|--help) usage ;;
        *) usage >&2; die "unknown command: $cmd" ;;
    esac
}

main "$@"
