# PostgreSQL is stopped for several seconds mid-stream and started again:
# the services report it, back off, resume, and never exit.
source "$(dirname "${BASH_SOURCE[0]}")/lib_faults.sh"
fault_generate
reference_run
outage_run pg 6
grep -q "db_unavailable" "$IT_DIR"/vacancy-worker.log "$IT_DIR"/appointment-worker.log \
    "$IT_DIR"/appraisal-worker.log || fail "no worker reported the database unavailable"
check_against_reference
say "passed: $STREAM_LINES messages, $ALERT_REPEATS repeated alerts"
