# Hostile input, on every partition of every input topic, then a normal
# stream: each hostile message is dead-lettered exactly once (the ones too
# large to copy as a bounded record with their size and SHA-256), no worker
# logs a stuck or retry loop, and the normal stream ends in the same
# pictures as an undisturbed run of it. Batches stay within their byte
# bound, and text from upstream reaches the operator's terminal defused.
#
# The kinds: an event id that is not UTF-8 and one with a NUL inside, a body
# date that is not UTF-8, a value of 1,000,500 bytes and one just under the
# topic's limit, a tombstone, an empty value, a 950 KB key, a key that is
# not UTF-8, and forged dlq.* headers on bytes that do not decode.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export SUCCESSION_NOW=2026-06-01T00:00:00Z
PARTITIONS=6
KINDS=(vacancy appointment appraisal)
HOSTILE=10 # kinds of hostile message, each sent to every partition of every topic
STREAM="$IT_DIR/stream"
simulator --out "$STREAM" --seed 11 --events 3000 >/dev/null

# run NAME [WORKER ARGS...]: a database and topics of its own, the services,
# the reference data.
run() {
    local name=$1
    shift
    it_setup "$name"
    IT_LOG_SUFFIX=".$name"
    local w
    for w in vacancy-worker appointment-worker appraisal-worker; do start_service "$w" "$@"; done
    start_service alert-publisher
    ctl import --organisations "$STREAM/organisations.csv" --posts "$STREAM/posts.csv" >/dev/null
}

# The undisturbed run of the normal stream.
run reference
ctl publish --unchecked "$STREAM/events.jsonl" >/dev/null
ctl wait --timeout 180 || fail "the reference run did not catch up"
final_pictures >"$IT_DIR/reference.pictures"
reference_dead=$(sql "SELECT count(*) FROM event_log WHERE outcome = 'dead'")
stop_services || fail "the reference run did not stop cleanly"

# The hostile run; a small byte bound on batches, so that it is reached.
run hostile --batch-max-bytes 1000000
BIG=$((1000500))
NEAR=$((1048576 - 600)) # under the topics' max.message.bytes, with the record's overhead
head -c "$BIG" /dev/zero | tr '\0' 'x' >"$IT_DIR/big.bin"
head -c "$NEAR" /dev/zero | tr '\0' 'y' >"$IT_DIR/near.bin"
head -c 950000 /dev/zero | tr '\0' 'k' >"$IT_DIR/long-key.txt"
# Header (field 1) with an event id (its field 1) of the given bytes.
printf '\x0a\x04\x0a\x02\xff\xfe' >"$IT_DIR/id-not-utf8.bin"
printf '\x0a\x06\x0a\x04ab\x00c' >"$IT_DIR/id-with-nul.bin"
{ printf '\x07'; head -c 64 /dev/urandom; } >"$IT_DIR/undecodable.bin"

# produce TOPIC PARTITION KEY FILE [kcat options...]: the file's bytes as one message.
produce() {
    local topic=$1 partition=$2 key=$3 file=$4
    shift 4
    kcat -b "$SUCCESSION_BROKERS" -P -t "$topic" -p "$partition" -k "$key" \
        -X message.max.bytes=2000000 "$@" "$file" 2>>"$IT_DIR/kcat.err" || fail "kcat -P $topic"
}
# produce_line TOPIC PARTITION LINE [kcat options]: key TAB value from stdin.
produce_line() {
    local topic=$1 partition=$2
    shift 2
    kcat -b "$SUCCESSION_BROKERS" -P -t "$topic" -p "$partition" -K $'\t' \
        -X message.max.bytes=2000000 "$@" 2>>"$IT_DIR/kcat.err" || fail "kcat -P $topic"
}

for kind in "${KINDS[@]}"; do
    topic="${SUCCESSION_TOPIC_PREFIX}succession.$kind.v1"
    for ((p = 0; p < PARTITIONS; p++)); do
        produce "$topic" "$p" "hostile-id-not-utf8" "$IT_DIR/id-not-utf8.bin"
        produce "$topic" "$p" "hostile-id-with-nul" "$IT_DIR/id-with-nul.bin"
        produce "$topic" "$p" "hostile-big" "$IT_DIR/big.bin"
        produce "$topic" "$p" "hostile-near-limit" "$IT_DIR/near.bin"
        produce "$topic" "$p" "hostile-forged" "$IT_DIR/undecodable.bin" \
            -H "dlq.reason=all fine" -H "dlq.source.topic=elsewhere" -H "dlq.truncated=true"
        produce "$topic" "$p" $'hostile-\xff\xfe' "$IT_DIR/undecodable.bin"
        printf 'hostile-tombstone\t' | produce_line "$topic" "$p" -Z
        printf 'hostile-empty\t' | produce_line "$topic" "$p"
        { printf 'hostile-'; cat "$IT_DIR/long-key.txt"; printf '\tnot an event'; } |
            produce_line "$topic" "$p"
    done
done
# A body date that is not UTF-8, as JSON cannot carry it: a valid header,
# then field 2 (on the vacancy topic noticeGiven: post id, person id, reason,
# and a leaving date of bytes ff fe); on the other topics the same bytes do
# not even decode.
hdr=$'\x0a\x1a\x0a\x08bad-date\x12\x06\x08\x80\xa8\x92\xd0\x06\x1a\x06source'
for ((p = 0; p < PARTITIONS; p++)); do
    for kind in "${KINDS[@]}"; do
        topic="${SUCCESSION_TOPIC_PREFIX}succession.$kind.v1"
        printf '%s\x12\x10\x0a\x04RJ1X\x12\x02P1\x18\x02\x22\x02\xff\xfe' "$hdr" >"$IT_DIR/date.bin"
        produce "$topic" "$p" "hostile-date" "$IT_DIR/date.bin"
    done
done
hostile=$((HOSTILE * ${#KINDS[@]} * PARTITIONS))

# Then the normal stream.
ctl publish --unchecked "$STREAM/events.jsonl" >/dev/null
ctl wait --timeout 300 || fail "the hostile run did not catch up"

# 1. Each hostile message is dead-lettered exactly once.
ctl dlq list --json >"$IT_DIR/dlq.jsonl" || fail "dlq list"
letters=$(jq -c 'select(.key | startswith("hostile-"))' "$IT_DIR/dlq.jsonl")
assert_eq "hostile dead letters" "$hostile" "$(grep -c . <<<"$letters")"
assert_eq "hostile dead letters, each source message once" "$hostile" \
    "$(jq -r '[.sourceTopic, .sourcePartition, .sourceOffset] | @tsv' <<<"$letters" | sort -u | wc -l)"
assert_eq "dead in the ledger" "$((reference_dead + hostile))" \
    "$(sql "SELECT count(*) FROM event_log WHERE outcome = 'dead'")"
# The ones too large to copy are bounded records that still identify them.
big_sha=$(sha256sum "$IT_DIR/big.bin" | cut -d' ' -f1)
assert_eq "big ones: truncated, size, digest, first bytes" \
    "$((${#KINDS[@]} * PARTITIONS)) true $BIG $big_sha 1024" \
    "$(jq -r 'select(.key == "hostile-big") | "\(.truncated) \(.originalSize) \(.originalSha256) \(.bytes | @base64d | length)"' \
        "$IT_DIR/dlq.jsonl" | sort | uniq -c | sed 's/^ *//')"
assert_eq "near-limit ones are bounded too" "$((${#KINDS[@]} * PARTITIONS))" \
    "$(jq -r 'select(.key == "hostile-near-limit" and .truncated and .originalSize == '"$NEAR"')' \
        "$IT_DIR/dlq.jsonl" | grep -c '"key"')"
assert_eq "long keys are cut" "256" \
    "$(jq -r 'select(.key | startswith("hostile-kkk")) | .key | length' "$IT_DIR/dlq.jsonl" | sort -u)"
assert_eq "forged headers do not survive" "cannot be decoded" \
    "$(jq -r 'select(.key == "hostile-forged") | .reason' "$IT_DIR/dlq.jsonl" | cut -c1-17 | sort -u)"
assert_eq "the id that is not UTF-8, as recorded" "\\xFF\\xFE" \
    "$(sql "SELECT DISTINCT event_id FROM event_log WHERE reason LIKE 'header.eventId: not valid UTF-8%'")"
assert_eq "the id with a NUL" "header.eventId: contains a NUL byte" \
    "$(sql "SELECT DISTINCT reason FROM event_log WHERE event_id = 'ab'")"
assert_eq "tombstones" "$((${#KINDS[@]} * PARTITIONS))" \
    "$(sql "SELECT count(*) FROM event_log WHERE reason LIKE 'a tombstone%'")"
assert_eq "a replay of a bounded letter is refused" 1 \
    "$(ctl dlq replay --offset "$(jq -r 'select(.key == "hostile-big") | .dlqOffset' "$IT_DIR/dlq.jsonl" | head -n1)" >/dev/null 2>&1; echo $?)"

# 2. No worker was stuck or kept retrying.
stuck=$(cat "$IT_DIR"/*-worker.hostile.log | grep -cE \
    'event_stuck|dlq_unavailable|dlq_produce_failed|dlq_delivery_failed|dead_letter_unrecorded|db_fault|db_unavailable|batch_failed|batch_abandoned' || true)
assert_eq "stuck or retry lines in the worker logs" 0 "$stuck"
# Batches kept within their byte bound (1,000,000 bytes, passed by at most
# the one message that crossed it), whatever came in.
max_kb=$(grep -ho 'holding [0-9]* KB' "$IT_DIR"/*-worker.hostile.log | awk '{print $2}' | sort -n | tail -n1)
((max_kb > 900 && max_kb <= (1000000 + 1048576) / 1024)) || fail "largest batch held $max_kb KB"

# 3. The normal stream ends as it does undisturbed.
final_pictures >"$IT_DIR/hostile.pictures"
diff -q "$IT_DIR/reference.pictures" "$IT_DIR/hostile.pictures" >/dev/null ||
    fail "pictures differ from the undisturbed run: $(diff "$IT_DIR/reference.pictures" "$IT_DIR/hostile.pictures" | head -5)"

# Escape sequences from upstream reach the operator's terminal defused.
post=$(awk -F, '$4 == "yes" { print $1; exit }' "$STREAM/posts.csv")
esc=$'\x1b'
printf '{"topic":"appointment","header":{"eventId":"esc-1","occurredAt":"2026-05-31T00:00:00Z","source":"x"},"appointed":{"appointmentId":"ESC-A","postId":"%s","personId":"\\u001b]0;owned\\u0007\\u001b[2J","kind":"APPOINTMENT_KIND_SUBSTANTIVE","startDate":"2026-06-01"}}\n' \
    "$post" >"$IT_DIR/esc.jsonl"
printf '{"topic":"vacancy","header":{"eventId":"esc-\\u001b[31m","occurredAt":"2026-05-01T00:00:00Z","source":"x"},"noticeGiven":{"postId":"NOT-\\u001b[5mREGISTERED","personId":"P","reason":"LEAVING_REASON_OTHER","leavingDate":"2026-09-01"}}\n' \
    >>"$IT_DIR/esc.jsonl"
ctl publish "$IT_DIR/esc.jsonl" >/dev/null
ctl wait --timeout 60 || fail "did not catch up after the escape sequences"
for command in "status" "alerts --from-beginning --until-idle" "dlq list" "parked"; do
    # shellcheck disable=SC2086 # the command's words
    out=$(ctl $command 2>&1)
    [[ $out != *"$esc"* ]] || fail "successionctl $command printed an escape character"
done
ctl status | grep -q '\\x1B]0;owned' || fail "status does not show the defused incumbent id"
ctl parked | grep -q 'NOT-\\x1B\[5mREGISTERED' || fail "parked does not show the defused post id"
say "passed: $hostile hostile messages ($HOSTILE kinds x ${#KINDS[@]} topics x $PARTITIONS partitions) dead-lettered once each, largest batch $max_kb KB"
