# Database errors that are not the data's fault never dead-letter anything:
# a statement timeout (a lock held elsewhere), permission denied (a grant
# missing) and an undefined function (a binary ahead of its schema during a
# rollout) each make the worker not ready, with the SQLSTATE on /readyz, and
# retry the same batch with back-off until the cause is mended; then every
# event is applied, none dead.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

printf 'ods_code,name,kind,region\nRJ1,Guys and St Thomas,ACUTE_TRUST,LONDON\n' >"$IT_DIR/orgs.csv"
printf 'post_id,ods_code,role,top200\nRJ1-CEO,RJ1,CHIEF_EXECUTIVE,yes\n' >"$IT_DIR/posts.csv"
ctl import --organisations "$IT_DIR/orgs.csv" --posts "$IT_DIR/posts.csv" >/dev/null
psql "$IT_BASE_DB" -XAtq -c "DO \$\$ BEGIN CREATE ROLE it_worker LOGIN IN ROLE succession_worker;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$" >/dev/null

port=$(free_port)
start_service appraisal-worker --db "$SUCCESSION_DB user=it_worker" --db-statement-timeout 500 \
    --http-port "$port"
readyz() { curl -s "http://127.0.0.1:$port/readyz" || true; }
until_ready() {
    for _ in $(seq 1 100); do [[ $(readyz) == ready ]] && return 0; sleep 0.1; done
    fail "not ready: $(readyz)"
}
until_ready

n=0
publish() { # COUNT: that many nominations of the next persons
    local i
    for ((i = 0; i < $1; i++)); do
        n=$((n + 1))
        printf '{"topic":"appraisal","header":{"eventId":"n-%d","occurredAt":"2026-01-01T00:00:00Z","source":"t"},"successorNominated":{"postId":"RJ1-CEO","personId":"P%d","readiness":"READINESS_READY_NOW","assessedOn":"2026-01-01"}}\n' "$n" "$n"
    done >"$IT_DIR/events.jsonl"
    ctl publish "$IT_DIR/events.jsonl" >/dev/null
}
# expect_fault SQLSTATE: /readyz says so within a few seconds.
expect_fault() {
    local body
    for _ in $(seq 1 100); do
        body=$(readyz)
        [[ $body == "database fault: SQLSTATE $1"* ]] && { say "not ready: $body"; return 0; }
        sleep 0.1
    done
    fail "expected a database fault $1 on /readyz, got: $body"
}
applied() { sql "SELECT count(*) FROM event_log WHERE outcome = 'applied'"; }
until_applied() {
    for _ in $(seq 1 150); do (($(applied) == $1)) && return 0; sleep 0.1; done
    fail "expected $1 applied, have $(applied)"
}

# 1. A statement timeout: a lock held elsewhere until the worker has seen
# it (however slowly the machine runs), then released.
PGAPPNAME=it_locker psql "$SUCCESSION_DB" -XAtq -c "BEGIN;
    LOCK TABLE nomination IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(300); COMMIT" \
    >/dev/null 2>&1 &
locker=$!
for _ in $(seq 1 100); do
    [[ $(sql "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid)
              WHERE a.application_name = 'it_locker' AND l.mode = 'AccessExclusiveLock'
              AND l.granted") == 1 ]] && break
    sleep 0.1
done
publish 5
expect_fault 57014
assert_eq "applied while locked out" 0 "$(applied)"
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'it_locker'" \
    >/dev/null
wait "$locker" || true
until_applied 5
until_ready

# 2. Permission denied: the grant the batch needs goes missing.
sql "REVOKE INSERT ON nomination FROM succession_worker"
publish 5
expect_fault 42501
sleep 1
assert_eq "applied without the grant" 5 "$(applied)"
sql "GRANT INSERT ON nomination TO succession_worker"
until_applied 10
until_ready

# 3. An undefined function: the binary is ahead of its schema.
sql "ALTER FUNCTION apply_appraisal_batch RENAME TO apply_appraisal_batch_later"
publish 5
expect_fault 42883
sleep 1
sql "ALTER FUNCTION apply_appraisal_batch_later RENAME TO apply_appraisal_batch"
until_applied 15
until_ready

assert_eq "dead letters" 0 "$(sql "SELECT count(*) FROM event_log WHERE outcome = 'dead'")"
assert_eq "on the dead-letter topic" 0 "$(ctl dlq list --json | wc -l)"
grep -q "db_fault" "$IT_DIR/appraisal-worker.log" || fail "the faults were not logged"
kill -0 "${IT_PIDS[0]}" || fail "the worker stopped"
say "passed"
