# The same generated stream, published bare and framed as a schema
# registry's serializer frames it (successionctl publish --framing
# confluent), ends in the same pictures of every designated post and the
# same outcome counts. In the framed run, a message whose framing names
# another message of the schema than the topic's event, and one cut inside
# its framing, are each dead-lettered with the reason, and the valid bytes
# behind a good framing are taken.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

export SUCCESSION_NOW=2026-06-01T00:00:00Z
simulator --out "$IT_DIR/example" --seed 12 --events 4000 >/dev/null

run() { # run NAME [publish options]
    local name=$1
    shift
    it_setup "$name"
    IT_LOG_SUFFIX=".$name" start_services
    ctl import --organisations "$IT_DIR/example/organisations.csv" \
        --posts "$IT_DIR/example/posts.csv" >/dev/null
    ctl publish --unchecked "$@" "$IT_DIR/example/events.jsonl" >/dev/null
    ctl wait --timeout 240 || fail "run $name did not catch up"
    final_pictures >"$IT_DIR/$name.status"
    outcome_counts >"$IT_DIR/$name.outcomes"
}

run bare
stop_services || fail "run bare: a service did not stop cleanly"
run framed --framing confluent --schema-id 17
[[ -s "$IT_DIR/bare.status" ]] || fail "no status"
cmp -s "$IT_DIR/bare.outcomes" "$IT_DIR/framed.outcomes" ||
    fail "outcomes differ: $(cat "$IT_DIR/bare.outcomes") vs $(cat "$IT_DIR/framed.outcomes")"
diff "$IT_DIR/bare.status" "$IT_DIR/framed.status" >"$IT_DIR/status.diff" ||
    fail "final pictures differ: $(head -c 2000 "$IT_DIR/status.diff")"

# A framed vacancy event as it is on the topic: magic byte, schema id 17,
# the path [4] (VacancyEvent is the fifth message of vacancy.proto), then
# the protobuf.
topic="${SUCCESSION_TOPIC_PREFIX}succession.vacancy.v1"
kcat -b "$SUCCESSION_BROKERS" -C -t "$topic" -o beginning -c 1 -e -f '%s' >"$IT_DIR/framed.bin" 2>/dev/null
assert_eq "framing on the topic" "00000000110208" "$(head -c 7 "$IT_DIR/framed.bin" | od -An -tx1 | tr -d ' \n')"
dead_before=$(sql "SELECT count(*) FROM event_log WHERE outcome = 'dead'")
{ printf '\x00\x00\x00\x00\x11\x00'; tail -c +8 "$IT_DIR/framed.bin"; } >"$IT_DIR/first-message.bin"
printf '\x00\x00\x00\x11' >"$IT_DIR/cut.bin"
for key in framed-as-first-message cut-in-framing; do
    file=$IT_DIR/first-message.bin
    [[ $key == cut-in-framing ]] && file=$IT_DIR/cut.bin
    kcat -b "$SUCCESSION_BROKERS" -P -t "$topic" -k "$key" "$file" 2>/dev/null || fail "kcat -P"
done
dead() { (($(sql "SELECT count(*) FROM event_log WHERE outcome = 'dead'") == dead_before + 2)); }
until_true 30 "the two badly framed messages were not dead-lettered" dead
ctl dlq list --json >"$IT_DIR/dlq.jsonl"
reason_of() { jq -r --arg k "$1" 'select(.key == $k) | .reason' "$IT_DIR/dlq.jsonl"; }
assert_eq "reason for a message framed as the first message" \
    "schema-registry framing names message index [0] (schema id 17); this topic takes succession.v1.VacancyEvent, message index [4]" \
    "$(reason_of framed-as-first-message)"
assert_eq "reason for a message cut in its framing" \
    "schema-registry framing: 4 bytes, shorter than its header (magic byte, schema id, message index)" \
    "$(reason_of cut-in-framing)"
say "passed: $(wc -l <"$IT_DIR/bare.status") designated posts agree, bare and framed; $(cat "$IT_DIR/bare.outcomes")"
