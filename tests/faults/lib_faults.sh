# shellcheck shell=bash
# Shared by the fault tests: one generated stream (at least 20,000 events
# with repeats, late events, invalid events and events for unregistered
# posts), a reference run of it undisturbed, and the checks every fault test
# makes against that reference:
#   - the model (every fact table and the final picture of every designated
#     post) equals the reference run's;
#   - every published message is in the ledger exactly once, with the same
#     outcome counts as the reference (applied, duplicate, parked, dead);
#   - no alert is missing from the alert topic: for every post its sequence
#     numbers arrive gap-free and in order up to the last one recorded
#     (repeats allowed, and counted).
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

STACK="${SUCCESSION_SOURCE_DIR:?}/deploy/dev.sh"
export SUCCESSION_NOW=2026-06-01T00:00:00Z
STREAM="$IT_DIR/stream"
# Small batches stretch the run so that faults land mid-stream.
WORKER_ARGS=(--batch-max-events 40 -X session.timeout.ms=6000)
WORKERS=(vacancy-worker appointment-worker appraisal-worker)

fault_generate() {
    simulator --out "$STREAM" --seed 20 --events 20000 >/dev/null
    STREAM_LINES=$(wc -l <"$STREAM/events.jsonl")
    ((STREAM_LINES >= 20000)) || fail "stream too short: $STREAM_LINES"
}

# import_and_publish: reference data, then the whole stream.
import_and_publish() {
    ctl import --organisations "$STREAM/organisations.csv" --posts "$STREAM/posts.csv" >/dev/null
    ctl publish --unchecked "$STREAM/events.jsonl" >/dev/null
}

# applied: messages in the ledger so far. until_applied N: waits (at most
# 20 s) until more than N are, so that a fault lands mid-stream; fails when
# they never are.
applied() { sql "SELECT count(*) FROM event_log"; }
until_applied() {
    local _
    for _ in $(seq 1 400); do (($(applied) > $1)) && return 0; sleep 0.05; done
    fail "fewer than $1 messages applied after 20 s: $(applied)"
}

# mid_stream WHAT N: fails unless N messages (applied when the fault came)
# leave some of the stream still to do, so that the fault landed mid-stream.
mid_stream() {
    (($2 < STREAM_LINES)) || fail "$1 came after the whole stream was applied ($2 of $STREAM_LINES)"
    say "$1 with $2 of $STREAM_LINES messages applied"
}

# faulty_start: the run to disturb, every service started and the stream
# published.
faulty_start() {
    it_setup faulty
    start_workers
    start_service alert-publisher
    import_and_publish
}

start_workers() {
    local w
    for w in "${WORKERS[@]}"; do start_service "$w" "${WORKER_ARGS[@]}"; done
}

# snapshot NAME: the model and the ledger, as text to compare.
snapshot() {
    local out="$IT_DIR/$1" t
    mkdir -p "$out"
    final_pictures >"$out/status"
    outcome_counts >"$out/outcomes"
    for t in notice vacancy vacancy_closure appointment appointment_end talent_review nomination; do
        psql "$SUCCESSION_DB" -XAtq -c "COPY (SELECT * FROM $t ORDER BY 1, 2) TO STDOUT" >"$out/$t"
    done
}

# reference_run: the stream applied by an undisturbed run of every service.
reference_run() {
    it_setup reference
    IT_LOG_SUFFIX=.reference
    start_workers
    start_service alert-publisher
    import_and_publish
    ctl wait --timeout 240 || fail "the reference run did not catch up"
    [[ $(sql "SELECT count(*) FROM event_log") == "$STREAM_LINES" ]] ||
        fail "the reference run's ledger holds $(sql "SELECT count(*) FROM event_log") of $STREAM_LINES messages:
$(ledger_by_partition)"
    snapshot reference
    stop_services || fail "reference run: a service did not stop cleanly"
    IT_LOG_SUFFIX=""
}

# ledger_by_partition: per topic and partition, the ledger's count and
# offsets, the stored next offset and the topic's end, for a failure message.
ledger_by_partition() {
    local topic partition
    sql "SELECT l.topic, l.partition, count(*), min(l.\"offset\"), max(l.\"offset\"),
                (SELECT c.next_offset FROM consumer_offset c
                 WHERE c.topic = l.topic AND c.partition = l.partition)
         FROM event_log l GROUP BY 1, 2 ORDER BY 1, 2" |
        while IFS='|' read -r topic partition rest; do
            printf '%s [%s]: count|min|max|stored %s, end %s\n' "$topic" "$partition" "$rest" \
                "$(kcat -b "$SUCCESSION_BROKERS" -Q -t "$topic:$partition:-1" 2>/dev/null | awk '{print $NF}')"
        done
}

# ledger_of_events IDS: each event's ledger rows (topic, partition, offset,
# outcome), for a failure message.
ledger_of_events() {
    local id
    for id in $1; do
        sql "SELECT event_id, topic, partition, \"offset\", outcome FROM event_log
             WHERE event_id = '$id'" | sed 's/^/  /'
        [[ -n $(sql "SELECT 1 FROM event_log WHERE event_id = '$id'") ]] || echo "  $id: not in the ledger"
    done
}

# check_against_reference: everything the header promises, for the current run.
check_against_reference() {
    snapshot faulty
    local f
    # The ledger first: when a fact differs, what became of its event says
    # whether it was lost, refused or taken for a duplicate.
    [[ $(sql "SELECT count(*) FROM event_log") == "$STREAM_LINES" ]] ||
        fail "the ledger holds $(sql "SELECT count(*) FROM event_log") of $STREAM_LINES messages:
$(ledger_by_partition)"
    for f in "$IT_DIR"/reference/*; do
        diff -q "$f" "$IT_DIR/faulty/$(basename "$f")" >/dev/null ||
            fail "$(basename "$f") differs from the undisturbed run:
$(diff "$f" "$IT_DIR/faulty/$(basename "$f")" | head -20)
the ledger of the events named there:
$(ledger_of_events "$(diff "$f" "$IT_DIR/faulty/$(basename "$f")" | grep -o 'gen-[0-9]*-[0-9]*' | sort -u)")"
    done
    assert_eq "ledger holes" 0 "$(sql "SELECT count(*) FROM (SELECT topic, partition FROM event_log
        GROUP BY 1, 2 HAVING max(\"offset\") - min(\"offset\") + 1 <> count(*)) t")"
    check_alert_topic
}

# Reads the alert topic and checks per post: sequences gap-free, in order,
# up to post_state's last sequence. Sets ALERT_REPEATS.
check_alert_topic() {
    ctl alerts --from-beginning --json --until-idle | jq -r '[.postId, .sequence] | @tsv' >"$IT_DIR/alerts.tsv"
    sql "SELECT post_id, alert_sequence FROM post_state WHERE alert_sequence > 0" |
        tr '|' '\t' >"$IT_DIR/last_sequences.tsv"
    local report
    report=$(awk -F'\t' '
        FNR == NR { want[$1] = $2; next }
        {
            if ($2 + 0 <= last[$1] + 0) { repeats++; next }
            if ($2 + 0 != last[$1] + 1) { printf "gap: %s went from %d to %d\n", $1, last[$1], $2; bad = 1 }
            last[$1] = $2
        }
        END {
            for (p in want) if (last[p] + 0 != want[p] + 0) {
                printf "missing: %s ends at %d of %d\n", p, last[p], want[p]; bad = 1
            }
            printf "repeats %d\n", repeats
            exit bad
        }' "$IT_DIR/last_sequences.tsv" "$IT_DIR/alerts.tsv") || fail "alert topic: $report"
    ALERT_REPEATS=${report##* }
}

# outage_run PART SECONDS: the faulty run with one part of the stack (kafka
# or pg) stopped for SECONDS mid-stream and started again; every service
# must stay up throughout and the run catch up.
outage_run() {
    local part=$1 seconds=$2 pid stopped_at
    faulty_start
    local -a pids=("${IT_PIDS[@]}")
    until_applied $((STREAM_LINES / 5))
    mid_stream "$part stopped" "$(applied)"
    "$STACK" "$part-stop" >/dev/null
    stopped_at=$(date +%s)
    sleep "$seconds"
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a service exited during the outage"; done
    "$STACK" "$part-start" >/dev/null
    say "$part was down for $(($(date +%s) - stopped_at)) s"
    ctl wait --timeout 240 || fail "did not catch up after the outage"
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || fail "a service exited after the outage"; done
}
