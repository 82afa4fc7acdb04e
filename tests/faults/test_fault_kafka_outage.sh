# The Kafka broker is stopped mid-stream and restarted: the services wait
# for it, never exit, and resume where they stopped.
source "$(dirname "${BASH_SOURCE[0]}")/lib_faults.sh"
fault_generate
reference_run
outage_run kafka 5
check_against_reference
say "passed: $STREAM_LINES messages, $ALERT_REPEATS repeated alerts"
