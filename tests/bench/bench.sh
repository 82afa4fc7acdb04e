# The benchmark: throughput, alert latency and memory of the real services
# on the real stack, batched (the defaults) against a per-event-commit run
# of the same code (--batch-max-events 1). Reports numbers; asserts nothing.
# Run through ./deploy/dev.sh bench (which starts the stack and builds).
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

EVENTS=${SUCCESSION_BENCH_EVENTS:-40000}
PER_EVENT_LINES=${SUCCESSION_BENCH_PER_EVENT_LINES:-5000}
PROBES=${SUCCESSION_BENCH_PROBES:-20}
WORKERS=(vacancy-worker appointment-worker appraisal-worker)
ms() { echo $(($(date +%s%N) / 1000000)); }

ctl generate --out "$IT_DIR/stream" --seed 5 --events "$EVENTS" >/dev/null
head -n "$PER_EVENT_LINES" "$IT_DIR/stream/events.jsonl" >"$IT_DIR/head.jsonl"

# run NAME FILE WORKER_ARGS...: starts the services, then times publishing
# the file and every worker catching up; sets LINES, SECONDS_TAKEN and RATE (events/s).
run() {
    local name=$1 file=$2
    shift 2
    it_setup "$name"
    ctl import --organisations "$IT_DIR/stream/organisations.csv" \
        --posts "$IT_DIR/stream/posts.csv" >/dev/null
    local t0 w
    for w in "${WORKERS[@]}"; do start_service "$w" "$@"; done
    start_service alert-publisher
    # Time the work, not the start: every worker holds its partitions first.
    for _ in $(seq 1 300); do
        [[ $(cat "$IT_DIR"/*-worker.log | grep -c partition_assigned) -ge 18 ]] && break
        sleep 0.1
    done
    t0=$(ms)
    ctl publish --unchecked "$file" >/dev/null || true
    ctl wait --timeout 1800 >/dev/null || fail "$name did not catch up"
    local took=$(($(ms) - t0))
    LINES=$(wc -l <"$file")
    SECONDS_TAKEN=$(awk -v t="$took" 'BEGIN{printf "%.1f", t/1000}')
    RATE=$(awk -v n="$LINES" -v t="$took" 'BEGIN{printf "%.0f", n*1000/t}')
}

# Peak resident memory (VmHWM, kB) of every running service.
memory() {
    local pid
    for pid in "${IT_PIDS[@]}"; do
        printf '%s %s\n' "$(tr '\0' ' ' </proc/"$pid"/cmdline | awk '{print $1}' | xargs basename)" \
            "$(awk '/VmHWM/ {print $2}' /proc/"$pid"/status)"
    done
}

# Probes on an idle system: two ready-now nominations that make an at-risk
# post safe, then their withdrawal that puts it at risk again; each flip
# raises an alert. The time from publish to the alert on the topic, in ms,
# includes the batch window (--batch-max-ms, 100 ms by default).
latency_probes() {
    local post alerts="$IT_DIR/probe-alerts.txt" i before t0
    post=$(sql "SELECT post_id FROM post_state JOIN post USING (post_id)
                WHERE designated AND at_risk ORDER BY post_id LIMIT 1")
    ctl alerts >"$alerts" 2>/dev/null &
    local reader=$!
    sleep 2
    for i in $(seq 1 "$PROBES"); do
        before=$(wc -l <"$alerts")
        # Two ready-now nominees (safe), then both withdrawn (at risk): each flips.
        local kind=successorNominated body
        ((i % 2)) || kind=successorWithdrawn
        body="{\"topic\":\"appraisal\",\"header\":{\"eventId\":\"probe-$i-%s\",\"occurredAt\":\"$(date -u +%FT%T.%NZ)\",\"source\":\"bench\"},\"$kind\":{\"postId\":\"$post\",\"personId\":\"PROBE-%s\",\"readiness\":\"READINESS_READY_NOW\",\"assessedOn\":\"$(date -u +%F)\"}}"
        [[ $kind == successorWithdrawn ]] && body="${body/,\"readiness\":\"READINESS_READY_NOW\",\"assessedOn\":\"$(date -u +%F)\"/}"
        t0=$(ms)
        { printf "$body\n" a a; printf "$body\n" b b; } | ctl publish - >/dev/null ||
            fail "probe $i was not published"
        for _ in $(seq 1 500); do (($(wc -l <"$alerts") > before)) && break; sleep 0.01; done
        echo $(($(ms) - t0))
    done | sort -n >"$IT_DIR/latency.txt"
    kill "$reader" 2>/dev/null || true
    awk '{v[NR]=$1} END {printf "median %d ms, p90 %d ms, max %d ms over %d probes\n",
        v[int((NR+1)/2)], v[int(NR*0.9+0.5)], v[NR], NR}' "$IT_DIR/latency.txt"
}

run batched "$IT_DIR/stream/events.jsonl"
rate=$RATE
say "batched (500 events or 100 ms a transaction): $LINES events in $SECONDS_TAKEN s = $RATE events/s"
say "peak memory (kB): $(memory | tr '\n' ' ')"
say "alert latency, publish to alert on the topic: $(latency_probes)"
stop_services || true
run per_event "$IT_DIR/head.jsonl" --batch-max-events 1
say "per-event commit (--batch-max-events 1): $LINES events in $SECONDS_TAKEN s = $RATE events/s"
say "batching is $(awk -v a="$rate" -v b="$RATE" 'BEGIN{printf "%.1f", a/b}')x faster"
