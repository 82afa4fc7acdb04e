# Two instances of each worker in one consumer group reach the same final
# state as one instance of each, on a generated national example. The second
# run's sessions read bytea in the escape form rather than hex, so decoding
# stored pictures and outbox payloads cannot depend on bytea_output.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export SUCCESSION_NOW=2026-06-01T00:00:00Z
simulator --out "$IT_DIR/example" --seed 11 --events 6000 >/dev/null
workers=(vacancy-worker appointment-worker appraisal-worker)

run() { # run NAME INSTANCES
    it_setup "$1"
    IT_LOG_SUFFIX=".$1"
    local i w
    for w in "${workers[@]}"; do
        for i in $(seq 1 "$2"); do start_service "$w" --batch-max-events 100; done
    done
    start_service alert-publisher
    ctl import --organisations "$IT_DIR/example/organisations.csv" \
        --posts "$IT_DIR/example/posts.csv" >/dev/null
    ctl publish --unchecked "$IT_DIR/example/events.jsonl" >/dev/null
    ctl wait --timeout 240 || fail "run $1 did not catch up"
    final_pictures >"$IT_DIR/$1.status"
    outcome_counts >"$IT_DIR/$1.outcomes"
    stop_services || fail "run $1: a service did not stop cleanly"
}

run single 1
PGOPTIONS="-c bytea_output=escape" run double 2
[[ -s "$IT_DIR/single.status" ]] || fail "no status"
cmp -s "$IT_DIR/single.outcomes" "$IT_DIR/double.outcomes" ||
    fail "outcomes differ: $(cat "$IT_DIR/single.outcomes") vs $(cat "$IT_DIR/double.outcomes")"
diff "$IT_DIR/single.status" "$IT_DIR/double.status" >"$IT_DIR/status.diff" ||
    fail "final status differs: $(head -c 2000 "$IT_DIR/status.diff")"
say "passed: $(wc -l <"$IT_DIR/single.status") designated posts agree; $(cat "$IT_DIR/single.outcomes")"
