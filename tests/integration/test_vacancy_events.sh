# Published vacancy events reach the model through the real broker and
# database; a repeated event is applied once; a bad one is dead-lettered
# with its original bytes and the reason.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

cat >"$IT_DIR/ref-orgs.csv" <<'CSV'
ods_code,name,kind,region
RJ1,Guy's and St Thomas' NHS Foundation Trust,ACUTE_TRUST,LONDON
CSV
cat >"$IT_DIR/ref-posts.csv" <<'CSV'
post_id,ods_code,role,top200
RJ1-CEO,RJ1,CHIEF_EXECUTIVE,yes
CSV
ctl import --organisations "$IT_DIR/ref-orgs.csv" --posts "$IT_DIR/ref-posts.csv" >/dev/null

hdr() { printf '"header":{"eventId":"%s","occurredAt":"%s","source":"trust-hr"}' "$1" "$2"; }
{
    echo "{\"topic\":\"vacancy\",$(hdr v-1 2026-03-01T09:00:00Z),\"noticeGiven\":{\"postId\":\"RJ1-CEO\",\"personId\":\"P1\",\"reason\":\"LEAVING_REASON_RETIREMENT\",\"leavingDate\":\"2026-12-31\"}}"
    echo "{\"topic\":\"vacancy\",$(hdr v-2 2026-03-02T09:00:00Z),\"vacancyOpened\":{\"vacancyId\":\"V-1\",\"postId\":\"RJ1-CEO\",\"reason\":\"LEAVING_REASON_RETIREMENT\",\"vacantFrom\":\"2027-01-01\"}}"
    # The same event again: applied once.
    echo "{\"topic\":\"vacancy\",$(hdr v-2 2026-03-02T09:00:00Z),\"vacancyOpened\":{\"vacancyId\":\"V-1\",\"postId\":\"RJ1-CEO\",\"reason\":\"LEAVING_REASON_RETIREMENT\",\"vacantFrom\":\"2027-01-01\"}}"
    # Same id, different body: still a duplicate, and it must not take effect.
    echo "{\"topic\":\"vacancy\",$(hdr v-2 2026-03-05T09:00:00Z),\"vacancyOpened\":{\"vacancyId\":\"V-1\",\"postId\":\"RJ1-CEO\",\"reason\":\"LEAVING_REASON_OTHER\",\"vacantFrom\":\"2030-01-01\"}}"
    # An impossible date: dead-lettered.
    echo "{\"topic\":\"vacancy\",$(hdr v-3 2026-03-03T09:00:00Z),\"vacancyClosed\":{\"vacancyId\":\"\",\"postId\":\"RJ1-CEO\",\"outcome\":\"VACANCY_OUTCOME_FILLED\"}}"
} >"$IT_DIR/events.jsonl"

# The services run as roles with only their grants (deploy/migrations/005).
for role in worker publisher; do
    psql "$IT_BASE_DB" -XAtq -c "DO \$\$ BEGIN CREATE ROLE it_$role LOGIN IN ROLE succession_$role;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$" >/dev/null
done
start_service vacancy-worker --db "$SUCCESSION_DB user=it_worker"
start_service alert-publisher --db "$SUCCESSION_DB user=it_publisher"
ctl publish --unchecked "$IT_DIR/events.jsonl" >/dev/null
# Only the vacancy worker runs: wait for its topic alone.
for _ in $(seq 1 100); do
    n=$(sql "SELECT count(*) FROM event_log")
    [[ $n == 5 ]] && break
    sleep 0.2
done

assert_eq "ledger" "applied:2 dead:1 duplicate:2" \
    "$(sql "SELECT string_agg(outcome || ':' || n, ' ' ORDER BY outcome) FROM (SELECT outcome, count(*) n FROM event_log GROUP BY outcome) t")"
assert_eq "notice" "RJ1-CEO|P1|t|2026-12-31" \
    "$(sql "SELECT post_id, person_id, given, leaving_date FROM notice")"
assert_eq "vacancy applied once, first body kept" "V-1|LEAVING_REASON_RETIREMENT|2027-01-01" \
    "$(sql "SELECT vacancy_id, reason, vacant_from FROM vacancy")"
assert_eq "dead-letter reason" "vacancyClosed.vacancyId: required, but missing or empty" \
    "$(sql "SELECT reason FROM event_log WHERE outcome = 'dead'")"

# The dead letter carries the original bytes and says why and where from.
dlq="${SUCCESSION_TOPIC_PREFIX}succession.dlq.v1"
kcat -b "$SUCCESSION_BROKERS" -C -t "$dlq" -o beginning -c 1 -e -f '%h\n' >"$IT_DIR/dlq.txt" 2>/dev/null
grep -q "dlq.reason=vacancyClosed.vacancyId: required" "$IT_DIR/dlq.txt" || fail "dlq headers: $(cat "$IT_DIR/dlq.txt")"
grep -q "dlq.source.topic=${SUCCESSION_TOPIC_PREFIX}succession.vacancy.v1" "$IT_DIR/dlq.txt" || fail "dlq source"
say "passed"
