# Every worker and the alert publisher are killed with SIGKILL at random
# moments, many times during the stream, and restarted.
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
import_and_publish

kills=0
caught_up() { ctl wait --timeout 0.5 >/dev/null 2>&1; }
while ! caught_up && ((kills < 400)); do
    s=${services[$((RANDOM % ${#services[@]}))]}
    sleep "0.$((RANDOM % 8 + 1))"
    kill -KILL "${pid_of[$s]}" 2>/dev/null && kills=$((kills + 1))
    wait "${pid_of[$s]}" 2>/dev/null || true
    start "$s"
done
ctl wait --timeout 240 || fail "did not catch up after the kills"
check_against_reference
say "passed: $kills SIGKILLs and restarts, $STREAM_LINES messages, $ALERT_REPEATS repeated alerts"
