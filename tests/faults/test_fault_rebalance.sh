# A second instance of every worker joins mid-stream and leaves again
# (SIGTERM) before the end: partitions move back and forth, nothing is lost
# or applied twice.
source "$(dirname "${BASH_SOURCE[0]}")/lib_faults.sh"
fault_generate
reference_run

faulty_start

until_applied $((STREAM_LINES / 5))
IT_LOG_SUFFIX=.second
second=()
for w in "${WORKERS[@]}"; do
    start_service "$w" "${WORKER_ARGS[@]}"
    second+=("$STARTED_PID")
done
IT_LOG_SUFFIX=""
# Joined: every second instance has been given partitions.
for _ in $(seq 1 300); do
    joined=0
    for w in "${WORKERS[@]}"; do grep -q partition_assigned "$IT_DIR/$w.second.log" && joined=$((joined + 1)); done
    ((joined == ${#WORKERS[@]})) && break
    sleep 0.1
done
((joined == ${#WORKERS[@]})) || fail "the second instances were not given partitions"
joined_at=$(applied)
mid_stream "the second instances joined" "$joined_at"
until_applied $((joined_at + STREAM_LINES / 10))
mid_stream "the second instances leave" "$(applied)"
for pid in "${second[@]}"; do kill -TERM "$pid"; done
for pid in "${second[@]}"; do wait "$pid" || fail "a second instance did not stop cleanly"; done
left_at=$(applied)

ctl wait --timeout 240 || fail "did not catch up after the rebalances"
check_against_reference
say "passed: joined at $joined_at, left at $left_at of $STREAM_LINES messages; $ALERT_REPEATS repeated alerts"
