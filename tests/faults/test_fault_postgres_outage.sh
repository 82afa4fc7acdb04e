# PostgreSQL is stopped for several seconds mid-stream and started again:
# the services report it, back off, resume, and never exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib_faults.sh"
fault_generate
reference_run

faulty_start
pids=("${IT_PIDS[@]}")

# Mid-stream: once some but not all of the stream is in.
until_applied $((STREAM_LINES / 5))
"$STACK" pg-stop >/dev/null
stopped_at=$(date +%s)
sleep 6
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a service exited while PostgreSQL was down"; done
"$STACK" pg-start >/dev/null
say "PostgreSQL was down for $(($(date +%s) - stopped_at)) s"

ctl wait --timeout 240 || fail "did not catch up after the outage"
for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a service exited after the outage"; done
grep -q "db_unavailable" "$IT_DIR"/vacancy-worker.log "$IT_DIR"/appointment-worker.log \
    "$IT_DIR"/appraisal-worker.log || fail "no worker reported the database unavailable"
check_against_reference
say "passed: $STREAM_LINES messages, $ALERT_REPEATS repeated alerts"
