# Every worker and the alert publisher are killed with SIGKILL at random
# moments, many times during the stream, and restarted. The stream is
# published in chunks over about 30 seconds, so that however fast the
# services are, the kills land while there is work in hand; one every second
# or two, so that a restarted worker (which waits for its killed self to
# leave the group: a 6 s session timeout here) gets some work done between.
source "$(dirname "${BASH_SOURCE[0]}")/lib_faults.sh"
fault_generate
reference_run

it_setup faulty
declare -A pid_of=()
start() { # start NAME
    if [[ $1 == alert-publisher ]]; then start_service "$1"
    else start_service "$1" "${WORKER_ARGS[@]}"; fi
    pid_of[$1]=$STARTED_PID
}
services=("${WORKERS[@]}" alert-publisher)
for s in "${services[@]}"; do start "$s"; done
ctl import --organisations "$STREAM/organisations.csv" --posts "$STREAM/posts.csv" >/dev/null
split -n l/20 -d "$STREAM/events.jsonl" "$IT_DIR/chunk."
(for chunk in "$IT_DIR"/chunk.*; do ctl publish --unchecked "$chunk" >/dev/null; sleep 1.5; done) &
publishing=$!

kills=0
all_in() { [[ $(sql "SELECT count(*) >= $STREAM_LINES AND NOT EXISTS (SELECT 1 FROM outbox)
                     FROM event_log") == t ]]; }
while { kill -0 "$publishing" 2>/dev/null || ! all_in; } && ((kills < 300)); do
    sleep "$((RANDOM % 2)).$((RANDOM % 10))"
    s=${services[$((RANDOM % ${#services[@]}))]}
    kill -KILL "${pid_of[$s]}" 2>/dev/null && kills=$((kills + 1))
    wait "${pid_of[$s]}" 2>/dev/null || true
    start "$s"
done
wait "$publishing" || fail "publishing failed"
ctl wait --timeout 240 || fail "did not catch up after the kills"
((kills >= 15)) || fail "only $kills kills landed during the stream"
check_against_reference
say "passed: $kills SIGKILLs and restarts, $STREAM_LINES messages, $ALERT_REPEATS repeated alerts"
