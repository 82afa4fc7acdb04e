# SIGTERM during a batch: the batch in hand finishes or rolls back cleanly,
# its offsets are stored, and the consumer leaves the group at once, so the
# other instance takes its partitions over without waiting for a session
# timeout (left at its default of 45 s here).
source "$(dirname "${BASH_SOURCE[0]}")/lib_faults.sh"
fault_generate
reference_run

it_setup faulty
WORKER_ARGS=(--batch-max-events 40)
start_workers
start_service alert-publisher
IT_LOG_SUFFIX=.second
start_service appraisal-worker "${WORKER_ARGS[@]}"
second=$STARTED_PID
IT_LOG_SUFFIX=""
# Both instances hold partitions before the stream starts.
for _ in $(seq 1 300); do
    grep -q partition_assigned "$IT_DIR/appraisal-worker.second.log" &&
        grep -q partition_assigned "$IT_DIR/appraisal-worker.log" && break
    sleep 0.1
done
grep -q partition_assigned "$IT_DIR/appraisal-worker.second.log" || fail "the second instance had no partitions"
import_and_publish

# Mid-stream: the worker is busy with its backlog, batch after batch.
applied() { sql "SELECT count(*) FROM event_log WHERE topic LIKE '%appraisal%'"; }
appraisals=$(grep -c '"topic":"appraisal"' "$STREAM/events.jsonl")
until_applied 2000
at_signal=$(applied)
((at_signal < appraisals)) || fail "SIGTERM came after every appraisal event was applied"
# Counted before the signal: the takeover may begin while it shuts down.
before=$(grep -c partition_assigned "$IT_DIR/appraisal-worker.log" || true)
t0=$(date +%s%N)
kill -TERM "$second"
wait "$second" || fail "the worker did not exit 0 on SIGTERM"
exit_ms=$((($(date +%s%N) - t0) / 1000000))
((exit_ms < 10000)) || fail "SIGTERM took ${exit_ms} ms"
grep -q worker_stopping "$IT_DIR/appraisal-worker.second.log" || fail "no clean stop logged"

# The first instance is given every partition well within the session timeout.
for _ in $(seq 1 200); do
    (($(grep -c partition_assigned "$IT_DIR/appraisal-worker.log") >= before + 6)) && break
    sleep 0.1
done
taken_ms=$((($(date +%s%N) - t0) / 1000000))
((taken_ms < 20000)) || fail "the other instance took over only after ${taken_ms} ms"

ctl wait --timeout 240 || fail "did not catch up"
check_against_reference
say "passed: SIGTERM with $at_signal of $appraisals appraisal events applied, stopped in ${exit_ms} ms, partitions taken over after ${taken_ms} ms; $ALERT_REPEATS repeated alerts"
