# A worker killed with SIGKILL mid-stream, again and again, and restarted,
# resumes with nothing lost and nothing applied twice: every message is in
# the ledger exactly once with the outcome an undisturbed run gives.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

posts=20 events=10000 repeat_every=10
{
    echo "ods_code,name,kind,region"
    echo "RX1,Nottingham University Hospitals NHS Trust,ACUTE_TRUST,MIDLANDS"
} >"$IT_DIR/orgs.csv"
{
    echo "post_id,ods_code,role,top200"
    for p in $(seq 1 $posts); do echo "RX1-P$p,RX1,OTHER_DIRECTOR,$( ((p % 2)) && echo yes || echo no)"; done
} >"$IT_DIR/posts.csv"
ctl import --organisations "$IT_DIR/orgs.csv" --posts "$IT_DIR/posts.csv" >/dev/null

# Nominations of 200 people across the posts, every tenth event repeated.
readiness=(READINESS_READY_NOW READINESS_READY_1_2_YEARS READINESS_READY_3_PLUS_YEARS)
for i in $(seq 1 $events); do
    line=$(printf '{"topic":"appraisal","header":{"eventId":"kill-%05d","occurredAt":"2026-01-01T00:00:%02dZ","source":"talent-review"},"successorNominated":{"postId":"RX1-P%d","personId":"P%03d","readiness":"%s","assessedOn":"2026-01-01"}}' \
        "$i" $((i % 60)) $((i % posts + 1)) $((i % 200)) "${readiness[$((i % 3))]}")
    echo "$line"
    ((i % repeat_every)) || echo "$line"
done >"$IT_DIR/events.jsonl"
total=$(wc -l <"$IT_DIR/events.jsonl")
repeats=$((events / repeat_every))
ctl publish "$IT_DIR/events.jsonl" >/dev/null

start_service alert-publisher
# A short session timeout lets the group notice a killed member quickly.
worker_args=(--batch-max-events 50 -X session.timeout.ms=6000)
applied() { sql "SELECT count(*) FROM event_log"; }
kills=0 rounds=6
for round in $(seq 1 $rounds); do
    # Kill it mid-stream: somewhere in the round's share of the stream.
    target=$((round * total / (rounds + 1) + RANDOM % (total / (2 * rounds + 2))))
    start_service appraisal-worker "${worker_args[@]}"
    pid=$STARTED_PID
    for _ in $(seq 1 600); do (($(applied) >= target)) && break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
    wait "$pid" 2>/dev/null || true
    say "round $round: killed after $(applied) of $total messages"
done
start_service appraisal-worker "${worker_args[@]}"
ctl wait --timeout 120 || fail "the restarted worker did not catch up"

assert_eq "messages in the ledger" "$total" "$(sql "SELECT count(*) FROM event_log")"
assert_eq "applied" "$events" "$(sql "SELECT count(*) FROM event_log WHERE outcome = 'applied'")"
assert_eq "duplicates" "$repeats" "$(sql "SELECT count(*) FROM event_log WHERE outcome = 'duplicate'")"
declare -A pairs=()
for i in $(seq 1 $events); do pairs["$((i % posts + 1))/$((i % 200))"]=1; done
assert_eq "nominations" "${#pairs[@]}" "$(sql "SELECT count(*) FROM nomination")"
# Every offset of every partition, once, with no hole.
assert_eq "offsets without holes" "0" \
    "$(sql "SELECT count(*) FROM (SELECT partition, max(\"offset\") - min(\"offset\") + 1 - count(*) AS holes FROM event_log GROUP BY partition) t WHERE holes <> 0")"
say "passed: $kills SIGKILLs, $total messages, $repeats repeats"
