# Bad input never stops a worker: bytes that do not decode, a message over
# the size limit, a wrong wire type, unknown enum numbers, bad ids, an
# impossible date and a missing instant each end in the dead-letter topic
# with a reason a person can act on, and the workers go on applying what
# follows. Text that looks like SQL is stored verbatim. `successionctl dlq`
# lists the dead letters and replays one; `successionctl parked` lists an
# event waiting for its post.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

vacancy_topic="${SUCCESSION_TOPIC_PREFIX}succession.vacancy.v1"
appraisal_topic="${SUCCESSION_TOPIC_PREFIX}succession.appraisal.v1"
dlq_topic="${SUCCESSION_TOPIC_PREFIX}succession.dlq.v1"

cat >"$IT_DIR/orgs.csv" <<'CSV'
ods_code,name,kind,region
RJ1,Guy's and St Thomas' NHS Foundation Trust,ACUTE_TRUST,LONDON
CSV
cat >"$IT_DIR/posts.csv" <<'CSV'
post_id,ods_code,role,top200
RJ1-CEO,RJ1,CHIEF_EXECUTIVE,yes
CSV
ctl import --organisations "$IT_DIR/orgs.csv" --posts "$IT_DIR/posts.csv" >/dev/null

start_service vacancy-worker --max-event-bytes 2000
vacancy_pid=$STARTED_PID
start_service appraisal-worker --max-event-bytes 2000
appraisal_pid=$STARTED_PID
start_service alert-publisher
publisher_pid=$STARTED_PID

hdr() { printf '"header":{"eventId":"%s","occurredAt":"2026-03-01T09:00:00Z","source":"trust-hr"}' "$1"; }
notice() { # EVENT_ID POST_ID LEAVING_DATE [REASON as JSON]
    local reason=${4:-'"LEAVING_REASON_RETIREMENT"'}
    printf '{"topic":"vacancy",%s,"noticeGiven":{"postId":"%s","personId":"P1","reason":%s,"leavingDate":"%s"}}\n' \
        "$(hdr "$1")" "$2" "$reason" "$3"
}
nominate() { # EVENT_ID POST_ID PERSON_ID READINESS
    printf '{"topic":"appraisal",%s,"successorNominated":{"postId":"%s","personId":"%s","readiness":%s,"assessedOn":"2026-01-15"}}\n' \
        "$(hdr "$1")" "$2" "$3" "$4"
}
messages() { sql "SELECT count(*) FROM event_log"; }
# wait_for_messages N: until the ledger holds N messages.
wait_for_messages() {
    for _ in $(seq 1 150); do
        (($(messages) >= $1)) && return 0
        sleep 0.2
    done
    fail "expected $1 messages in event_log, have $(messages)"
}
# send_raw TOPIC KEY FILE: the file's bytes as one message, as they are.
send_raw() { kcat -b "$SUCCESSION_BROKERS" -P -t "$1" -k "$2" "$3" 2>/dev/null || fail "kcat -P $1"; }

# A valid event first; its bytes as they are on the topic make the
# truncated message.
notice v-ok-1 RJ1-CEO 2026-12-31 >"$IT_DIR/first.jsonl"
ctl publish "$IT_DIR/first.jsonl" >/dev/null
wait_for_messages 1
kcat -b "$SUCCESSION_BROKERS" -C -t "$vacancy_topic" -o beginning -c 1 -e -f '%s' \
    >"$IT_DIR/valid.bin" 2>/dev/null
valid_size=$(stat -c %s "$IT_DIR/valid.bin")
((valid_size > 20)) || fail "could not read back a valid event ($valid_size bytes)"

# Raw bytes. The random ones start with a tag of wire type 7, which no
# protobuf has, so that they can never happen to decode.
{ printf '\x07'; head -c 199 /dev/urandom; } >"$IT_DIR/random.bin"
# Cut inside the event member: the bytes end in the middle of a field.
head -c $((valid_size - 3)) "$IT_DIR/valid.bin" >"$IT_DIR/truncated.bin"
# Cut right after the header (field 1, its length in the second byte): the
# bytes decode, and the event member is missing.
header_end=$((2 + $(od -An -tu1 -j1 -N1 "$IT_DIR/valid.bin")))
head -c "$header_end" "$IT_DIR/valid.bin" >"$IT_DIR/header-only.bin"
head -c 3000 /dev/zero | tr '\0' 'x' >"$IT_DIR/oversize.bin"
printf '\x08\x01' >"$IT_DIR/wiretype.bin" # field 1, the header, as a varint
send_raw "$vacancy_topic" bad-random "$IT_DIR/random.bin"
send_raw "$vacancy_topic" bad-truncated "$IT_DIR/truncated.bin"
send_raw "$vacancy_topic" bad-header-only "$IT_DIR/header-only.bin"
send_raw "$vacancy_topic" bad-oversize "$IT_DIR/oversize.bin"
send_raw "$appraisal_topic" bad-wiretype "$IT_DIR/wiretype.bin"

# Events that encode but break the contract; the key is the post or person.
long_id=$(printf 'V%.0s' $(seq 1 65))
{
    notice bad-enum-1 BAD-ENUM 2026-12-31 99
    nominate bad-enum-2 RJ1-CEO BAD-READINESS 99
    nominate bad-enum-3 RJ1-CEO BAD-UNSPECIFIED 0
    notice "" BAD-EMPTY-ID 2026-12-31
    printf '{"topic":"vacancy",%s,"vacancyOpened":{"vacancyId":"   ","postId":"BAD-BLANK","reason":"LEAVING_REASON_OTHER","vacantFrom":"2027-01-01"}}\n' "$(hdr bad-blank-1)"
    printf '{"topic":"vacancy",%s,"vacancyOpened":{"vacancyId":"%s","postId":"BAD-LONG","reason":"LEAVING_REASON_OTHER","vacantFrom":"2027-01-01"}}\n' "$(hdr bad-long-1)" "$long_id"
    notice bad-date-1 BAD-DATE 2025-02-30
    printf '{"topic":"vacancy","header":{"eventId":"bad-instant-1","source":"trust-hr"},"noticeGiven":{"postId":"BAD-INSTANT","personId":"P1","reason":"LEAVING_REASON_RETIREMENT","leavingDate":"2026-12-31"}}\n'
} >"$IT_DIR/bad.jsonl"
ctl publish --unchecked "$IT_DIR/bad.jsonl" >/dev/null
bad_count=$((5 + $(wc -l <"$IT_DIR/bad.jsonl")))

# After the bad ones: valid events, one of them with SQL in its text.
sql_text="P1'); DROP TABLE post;--"
{
    nominate ok-sql RJ1-CEO "$sql_text" '"READINESS_READY_NOW"'
    notice v-ok-2 RJ1-CEO 2027-06-30
} >"$IT_DIR/after.jsonl"
ctl publish "$IT_DIR/after.jsonl" >/dev/null
total=$((1 + bad_count + 2))
wait_for_messages "$total"

# The workers are still there and applied what came after the bad input.
for pid in "$vacancy_pid" "$appraisal_pid" "$publisher_pid"; do
    kill -0 "$pid" 2>/dev/null || fail "service pid $pid is gone"
done
assert_eq "valid event after the bad ones" "applied" \
    "$(sql "SELECT outcome FROM event_log WHERE event_id = 'v-ok-2'")"
assert_eq "notice of the last valid event" "2027-06-30" \
    "$(sql "SELECT leaving_date FROM notice WHERE post_id = 'RJ1-CEO'")"
assert_eq "event with SQL text" "applied" \
    "$(sql "SELECT outcome FROM event_log WHERE event_id = 'ok-sql'")"
assert_eq "SQL text stored verbatim" "$sql_text" \
    "$(sql "SELECT person_id FROM nomination WHERE event_id = 'ok-sql'")"
assert_eq "posts untouched" "1" "$(sql "SELECT count(*) FROM post")"
assert_eq "dead letters in the ledger" "$bad_count" \
    "$(sql "SELECT count(*) FROM event_log WHERE outcome = 'dead'")"

# Each dead letter is listed with its source and reason, the same as the
# ledger's; the raw ones carry their original bytes.
ctl dlq list --json >"$IT_DIR/dlq.jsonl" || fail "dlq list --json"
assert_eq "dead letters listed" "$bad_count" "$(wc -l <"$IT_DIR/dlq.jsonl")"
assert_eq "dlq list count line" "$bad_count dead letters in $dlq_topic" "$(ctl dlq list | tail -n 1)"
# expect_dead KEY SOURCE_TOPIC WORDS...: the dead letter keyed KEY came from
# SOURCE_TOPIC, and its ledger row is dead with the same reason, naming WORDS.
expect_dead() {
    local key=$1 topic=$2 where reason
    shift 2
    where=$(jq -r --arg k "$key" 'select(.key == $k) | [.sourceTopic, .sourcePartition, .sourceOffset, .reason] | @tsv' "$IT_DIR/dlq.jsonl")
    [[ -n $where && $(wc -l <<<"$where") == 1 ]] || fail "one dead letter keyed '$key' expected: '$where'"
    IFS=$'\t' read -r t p o reason <<<"$where"
    assert_eq "source topic of $key" "$topic" "$t"
    assert_eq "ledger row of $key" "dead|$reason" \
        "$(sql "SELECT outcome || '|' || reason FROM event_log WHERE topic = '$t' AND partition = $p AND \"offset\" = $o")"
    local w
    for w in "$@"; do
        [[ $reason == *"$w"* ]] || fail "reason for $key does not say '$w': $reason"
    done
    say "$key: $reason"
}
expect_dead bad-random "$vacancy_topic" "cannot be decoded"
expect_dead bad-truncated "$vacancy_topic" "cannot be decoded"
expect_dead bad-header-only "$vacancy_topic" "exactly one of noticeGiven" "none is given"
expect_dead bad-oversize "$vacancy_topic" "3000 bytes" "over the limit" "2000"
expect_dead bad-wiretype "$appraisal_topic" "cannot be decoded"
expect_dead BAD-ENUM "$vacancy_topic" "noticeGiven.reason" "enum" "99"
expect_dead BAD-READINESS "$appraisal_topic" "successorNominated.readiness" "enum" "99"
expect_dead BAD-UNSPECIFIED "$appraisal_topic" "READINESS_UNSPECIFIED"
expect_dead BAD-EMPTY-ID "$vacancy_topic" "header.eventId" "missing or empty"
expect_dead BAD-BLANK "$vacancy_topic" "vacancyOpened.vacancyId" "white space"
expect_dead BAD-LONG "$vacancy_topic" "vacancyOpened.vacancyId" "64" "65"
expect_dead BAD-DATE "$vacancy_topic" "noticeGiven.leavingDate" "2025-02-30" "date"
expect_dead BAD-INSTANT "$vacancy_topic" "header.occurredAt" "missing"

assert_eq "original bytes of the truncated message" "$(base64 -w0 "$IT_DIR/truncated.bin")" \
    "$(jq -r 'select(.key == "bad-truncated") | .bytes' "$IT_DIR/dlq.jsonl")"
assert_eq "original bytes of the random message" "$(base64 -w0 "$IT_DIR/random.bin")" \
    "$(jq -r 'select(.key == "bad-random") | .bytes' "$IT_DIR/dlq.jsonl")"
assert_eq "undecodable: no event id, no event" "null|false" \
    "$(jq -r 'select(.key == "bad-random") | "\(.eventId)|\(has("event"))"' "$IT_DIR/dlq.jsonl")"
assert_eq "decoded dead letter" "bad-date-1|vacancy|2025-02-30|vacancy-worker" \
    "$(jq -r 'select(.key == "BAD-DATE") | "\(.eventId)|\(.event.topic)|\(.event.noticeGiven.leavingDate)|\(.worker)"' "$IT_DIR/dlq.jsonl")"
ctl dlq list >"$IT_DIR/dlq.txt" || fail "dlq list"
grep -q "bad-date-1 .*noticeGiven.leavingDate" "$IT_DIR/dlq.txt" || fail "text list lacks the event id and reason"

# Replay: asking for an offset that is not there sends nothing.
rc=0
ctl dlq replay --offset 99999 >/dev/null 2>&1 || rc=$?
assert_eq "replay of a missing offset" "1" "$rc"
rc=0
ctl dlq replay >/dev/null 2>&1 || rc=$?
assert_eq "replay without a choice" "2" "$rc"
# A replayed event still invalid is dead-lettered again.
date_offset=$(jq -r 'select(.key == "BAD-DATE") | .dlqOffset' "$IT_DIR/dlq.jsonl")
ctl dlq replay --offset "$date_offset" --dry-run >"$IT_DIR/dry-run.txt" || fail "dry run"
grep -q "would replay 0:$date_offset to $vacancy_topic" "$IT_DIR/dry-run.txt" ||
    fail "dry run does not say what it would send: $(cat "$IT_DIR/dry-run.txt")"
ctl dlq replay --offset "$date_offset" >"$IT_DIR/replay.txt" || fail "replay: $(cat "$IT_DIR/replay.txt")"
grep -q "replayed 0:$date_offset to $vacancy_topic" "$IT_DIR/replay.txt" || fail "replay output: $(cat "$IT_DIR/replay.txt")"
wait_for_messages $((total + 1))
assert_eq "dead after the replay" "$((bad_count + 1))" \
    "$(sql "SELECT count(*) FROM event_log WHERE outcome = 'dead'")"
assert_eq "the replayed event is dead again" "2" \
    "$(sql "SELECT count(*) FROM event_log WHERE outcome = 'dead' AND event_id = 'bad-date-1'")"
ctl dlq list --json >"$IT_DIR/dlq2.jsonl"
assert_eq "dead letters after the replay" "$((bad_count + 1))" "$(wc -l <"$IT_DIR/dlq2.jsonl")"
kcat -b "$SUCCESSION_BROKERS" -C -t "$dlq_topic" -o -1 -c 1 -e -f '%h\n' >"$IT_DIR/last.txt" 2>/dev/null
grep -q "dlq.replayed-from=$dlq_topic:0:$date_offset" "$IT_DIR/last.txt" ||
    fail "the new dead letter does not say where it was replayed from: $(cat "$IT_DIR/last.txt")"

# An event for a post not registered waits, parked, and is listed.
notice v-parked NOPE-CEO 2026-12-31 >"$IT_DIR/parked.jsonl"
ctl publish "$IT_DIR/parked.jsonl" >/dev/null
wait_for_messages $((total + 2))
assert_eq "parked outcome" "parked" "$(sql "SELECT outcome FROM event_log WHERE event_id = 'v-parked'")"
ctl parked >"$IT_DIR/parked.txt" || fail "parked"
grep -q "^NOPE-CEO .*$vacancy_topic .*v-parked" "$IT_DIR/parked.txt" || fail "parked: $(cat "$IT_DIR/parked.txt")"
assert_eq "parked count line" "1 parked events waiting for their post to be registered" \
    "$(tail -n 1 "$IT_DIR/parked.txt")"
assert_eq "parked --json" "NOPE-CEO|v-parked|$vacancy_topic" \
    "$(ctl parked --json | jq -r '"\(.postId)|\(.eventId)|\(.topic)"')"

for pid in "$vacancy_pid" "$appraisal_pid" "$publisher_pid"; do
    kill -0 "$pid" 2>/dev/null || fail "service pid $pid is gone at the end"
done
say "passed: $bad_count bad messages dead-lettered, workers still running"
