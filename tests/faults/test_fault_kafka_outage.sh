# The Kafka broker is stopped mid-stream and restarted: the services wait
# for it, never exit, and resume where they stopped.
source "$(dirname "${BASH_SOURCE[0]}")/lib_faults.sh"
fault_generate
reference_run

faulty_start
pids=("${IT_PIDS[@]}")

until_applied $((STREAM_LINES / 5))
"$STACK" kafka-stop >/dev/null
stopped_at=$(date +%s)
sleep 5
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a service exited while Kafka was down"; done
"$STACK" kafka-start >/dev/null
say "Kafka was down for $(($(date +%s) - stopped_at)) s"

ctl wait --timeout 240 || fail "did not catch up after the outage"
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a service exited after the outage"; done
check_against_reference
say "passed: $STREAM_LINES messages, $ALERT_REPEATS repeated alerts"
