# An event that passes validation but that PostgreSQL refuses (here a
# trigger stands in for any rule the database enforces) does not stop the
# worker: its batch is narrowed down until that one event is found, which is
# dead-lettered with the database's reason; every other event is applied.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

printf 'ods_code,name,kind,region\nRJ1,Guys and St Thomas,ACUTE_TRUST,LONDON\n' >"$IT_DIR/orgs.csv"
printf 'post_id,ods_code,role,top200\nRJ1-CEO,RJ1,CHIEF_EXECUTIVE,yes\n' >"$IT_DIR/posts.csv"
ctl import --organisations "$IT_DIR/orgs.csv" --posts "$IT_DIR/posts.csv" >/dev/null
sql "CREATE FUNCTION refuse_poison() RETURNS trigger LANGUAGE plpgsql AS \$\$
     BEGIN IF NEW.person_id = 'POISON' THEN RAISE EXCEPTION 'nominee POISON is refused'; END IF;
     RETURN NEW; END \$\$;
     CREATE TRIGGER refuse_poison BEFORE INSERT OR UPDATE ON nomination
     FOR EACH ROW EXECUTE FUNCTION refuse_poison()" >/dev/null

for i in $(seq 1 20); do
    person=P$i
    ((i == 13)) && person=POISON
    printf '{"topic":"appraisal","header":{"eventId":"n-%d","occurredAt":"2026-01-01T00:00:%02dZ","source":"talent-review"},"successorNominated":{"postId":"RJ1-CEO","personId":"%s","readiness":"READINESS_READY_NOW","assessedOn":"2026-01-01"}}\n' \
        "$i" "$i" "$person"
done >"$IT_DIR/events.jsonl"
ctl publish "$IT_DIR/events.jsonl" >/dev/null

start_service appraisal-worker
start_service alert-publisher
ctl wait --timeout 60 || fail "the worker did not get past the refused event"
kill -0 "${IT_PIDS[0]}" || fail "the worker stopped"

assert_eq "applied" 19 "$(sql "SELECT count(*) FROM event_log WHERE outcome = 'applied'")"
assert_eq "dead" "n-13" "$(sql "SELECT event_id FROM event_log WHERE outcome = 'dead'")"
reason=$(sql "SELECT reason FROM event_log WHERE outcome = 'dead'")
[[ $reason == "refused by PostgreSQL: "*"nominee POISON is refused"* ]] || fail "reason: $reason"
assert_eq "nominations" 19 "$(sql "SELECT count(*) FROM nomination")"
dlq=$(ctl dlq list --json | jq -r .reason)
[[ $dlq == "refused by PostgreSQL: "* ]] || fail "dead letter: $dlq"
say "passed"
