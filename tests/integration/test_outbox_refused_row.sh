# One outbox row Kafka refuses for good (larger than the producer accepts)
# does not stop the alert publisher: it is moved to outbox_failed, counted,
# logged with its post, and the rows after it, of the same post too, flow.
# A post status stays small whatever the post: with 250 ready-now nominees
# it lists 200 successors, says how many it left out, and counts them all.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

printf 'ods_code,name,kind,region\nRJ1,Guys and St Thomas,ACUTE_TRUST,LONDON\n' >"$IT_DIR/orgs.csv"
printf 'post_id,ods_code,role,top200\nRJ1-CEO,RJ1,CHIEF_EXECUTIVE,yes\n' >"$IT_DIR/posts.csv"
ctl import --organisations "$IT_DIR/orgs.csv" --posts "$IT_DIR/posts.csv" >/dev/null
# The import's own rows first, then a 2 MB one, all before the publisher starts.
sql "INSERT INTO outbox (kind, post_id, payload)
     SELECT 'status', 'RJ1-CEO', decode(repeat('00', 2000000), 'hex')" >/dev/null
big_id=$(sql "SELECT max(id) FROM outbox")

port=$(free_port)
start_service alert-publisher --http-port "$port"
start_service appraisal-worker
for i in $(seq 1 250); do
    printf '{"topic":"appraisal","header":{"eventId":"n-%d","occurredAt":"2026-01-01T00:00:00Z","source":"t"},"successorNominated":{"postId":"RJ1-CEO","personId":"P%03d","readiness":"READINESS_READY_NOW","assessedOn":"2026-01-01"}}\n' "$i" "$i"
done >"$IT_DIR/events.jsonl"
ctl publish "$IT_DIR/events.jsonl" >/dev/null
ctl wait --timeout 60 || fail "the outbox did not drain past the refused row"

assert_eq "set aside" "$big_id|status|RJ1-CEO|2000000" \
    "$(sql "SELECT id, kind, post_id, length(payload) FROM outbox_failed")"
grep -q "outbox_row_refused.*row $big_id of post RJ1-CEO" "$IT_DIR/alert-publisher.log" ||
    fail "the refused row was not logged with its post"
curl -s "http://127.0.0.1:$port/metrics" | grep -q '^succession_outbox_failed_total{service="alert-publisher"} 1$' ||
    fail "metrics: $(curl -s "http://127.0.0.1:$port/metrics" | grep outbox)"

# The rows after it reached the topics: the post's last status is the one
# with every nomination, and its alerts are there.
status="${SUCCESSION_TOPIC_PREFIX}succession.post-status.v1"
ctl status --json >"$IT_DIR/status.json"
assert_eq "the last status: listed, left out, counted" "200 50 250" \
    "$(jq -r '"\(.successors | length) \(.successorsOmitted) \(.readyNow)"' "$IT_DIR/status.json")"
assert_eq "listed ones are the eligible ready-now, by person" "P001 P200" \
    "$(jq -r '[.successors[0].personId, .successors[-1].personId] | join(" ")' "$IT_DIR/status.json")"
size=$(kcat -b "$SUCCESSION_BROKERS" -C -t "$status" -o -1 -c 1 -e -f '%S\n' 2>/dev/null | sort -n | tail -n1)
((size > 0 && size < 65536)) || fail "a status of $size bytes"
assert_eq "alerts relayed" "RAISED RESOLVED" \
    "$(ctl alerts --from-beginning --json --until-idle | jq -r '.state | sub("ALERT_STATE_"; "")' | tr '\n' ' ' | sed 's/ $//')"
say "passed: the refused row set aside, a status of $size bytes for 250 nominees"
