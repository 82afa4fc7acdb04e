#!/bin/sh
# Runs a libFuzzer harness the way ctest does.
#
#   run_fuzzer.sh TARGET CORPUS SECONDS
#       Fuzzes for SECONDS starting from the inputs in CORPUS, which is only
#       read: new inputs go to a temporary folder that is removed afterwards.
#       Prints libFuzzer's final count of executions. On a crash, leak,
#       timeout or sanitizer report it prints the report, keeps the input in
#       $FUZZ_ARTIFACT_DIR (default: the current folder) as
#       <target>-crash-<sha1> (or leak-, timeout-, oom-), prints its path and
#       a hex dump, and fails.
#
#   run_fuzzer.sh --replay TARGET DIR
#       Runs TARGET once on every file in DIR (the kept inputs of earlier
#       findings; dot files and README.md are skipped). Passes when DIR holds
#       none.
set -u

LIBFUZZER_LIMITS="-rss_limit_mb=2048 -timeout=10"

usage() {
    echo "usage: run_fuzzer.sh TARGET CORPUS SECONDS | run_fuzzer.sh --replay TARGET DIR" >&2
    exit 2
}

replay() {
    target=$1
    dir=$2
    set --
    for input in "$dir"/*; do
        if [ -f "$input" ] && [ "${input##*/}" != README.md ]; then
            set -- "$@" "$input"
        fi
    done
    if [ $# -eq 0 ]; then
        echo "no regression inputs in $dir"
        exit 0
    fi
    # shellcheck disable=SC2086 # the limits are separate words
    exec "$target" $LIBFUZZER_LIMITS "$@"
}

fuzz() {
    target=$1
    corpus=$2
    seconds=$3
    [ -d "$corpus" ] || { echo "run_fuzzer.sh: no corpus folder $corpus" >&2; exit 2; }
    work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX") || exit 1
    trap 'rm -rf "$work"; exit 130' INT TERM
    mkdir "$work/corpus" "$work/artifacts"

    # shellcheck disable=SC2086
    "$target" -max_total_time="$seconds" $LIBFUZZER_LIMITS -print_final_stats=1 \
        -artifact_prefix="$work/artifacts/" "$work/corpus" "$corpus" >"$work/log" 2>&1
    status=$?

    grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::average_exec_per_sec)' \
        "$work/log"
    if [ "$status" -ne 0 ]; then
        tail -n 80 "$work/log"
        keep=${FUZZ_ARTIFACT_DIR:-$PWD}
        mkdir -p "$keep"
        for artifact in "$work"/artifacts/*; do
            [ -f "$artifact" ] || continue
            kept="$keep/$(basename "$target")-${artifact##*/}"
            mv "$artifact" "$kept"
            echo "input kept: $kept"
            od -A x -t x1z -v "$kept" | head -n 64
        done
    fi
    rm -rf "$work"
    exit "$status"
}

case "${1:-}" in
--replay)
    [ $# -eq 3 ] || usage
    replay "$2" "$3"
    ;;
*)
    [ $# -eq 3 ] || usage
    fuzz "$1" "$2" "$3"
    ;;
esac
