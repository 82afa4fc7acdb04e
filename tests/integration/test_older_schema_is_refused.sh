# A service refuses to run against a schema older than its binary. With the
# newest migration's row taken out of schema_migration (how a database not
# yet migrated to this release looks to the check), each of the four
# services exits 2 with one line naming the database's newest migration and
# the one it needs, having consumed nothing; `successionctl migrate --check`
# says the same with status 2, and with --wait returns 0 once the migration
# is recorded; then a worker logged in as a role of succession_worker starts
# and becomes ready.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup
psql "$IT_BASE_DB" -XAtq -c "DO \$\$ BEGIN CREATE ROLE it_worker LOGIN IN ROLE succession_worker;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$" >/dev/null

newest=$(sql "SELECT max(name) FROM schema_migration")
previous=$(sql "SELECT max(name) FROM schema_migration WHERE name < '$newest'")
sql "DELETE FROM schema_migration WHERE name = '$newest'"
refusal="the database schema is older than this binary: its newest migration is $previous, this binary needs $newest; run successionctl migrate"

# An event waits on the topic: a worker that ran would take it.
echo '{"topic":"vacancy","header":{"eventId":"v-1","occurredAt":"2026-01-05T09:00:00Z","source":"esr"},"noticeGiven":{"postId":"RJ1-CEO","personId":"P1","reason":"LEAVING_REASON_RETIREMENT","leavingDate":"2026-09-30"}}' |
    ctl publish - >/dev/null

for service in "${SERVICES[@]}"; do
    IT_LOG_SUFFIX=".older" start_service "$service"
    reap "$STARTED_PID" 30
    assert_eq "exit status of $service" 2 "$REAPED_STATUS"
    grep -qxF "$service: $refusal" "$IT_DIR/$service.older.log" ||
        fail "$service did not say why: $(tail -n 3 "$IT_DIR/$service.older.log")"
done
assert_eq "messages consumed" 0 "$(sql "SELECT count(*) FROM event_log")"
assert_eq "offsets stored" 0 "$(sql "SELECT count(*) FROM consumer_offset")"

rc=0
ctl migrate --check >"$IT_DIR/check.out" 2>&1 || rc=$?
assert_eq "exit status of migrate --check" 2 "$rc"
assert_eq "migrate --check says" "successionctl migrate: $refusal" "$(cat "$IT_DIR/check.out")"

# --wait keeps asking while the schema is older, and returns once it is not.
ctl migrate --check --wait 60 >"$IT_DIR/wait.out" 2>&1 &
waiter=$!
sleep 3
kill -0 "$waiter" 2>/dev/null || fail "migrate --check --wait returned early: $(cat "$IT_DIR/wait.out")"
sql "INSERT INTO schema_migration (name) VALUES ('$newest')"
reap "$waiter" 15
assert_eq "exit status of migrate --check --wait" 0 "$REAPED_STATUS"
assert_eq "migrate --check --wait says" "the schema has $newest, the newest migration of this binary" \
    "$(cat "$IT_DIR/wait.out")"

# The worker's own role may read the schema's migrations, and it starts.
port=$(free_port)
SUCCESSION_DB="$SUCCESSION_DB user=it_worker" start_service vacancy-worker --http-port "$port"
ready() { [[ $(curl -s "http://127.0.0.1:$port/readyz") == ready ]]; }
until_true 30 "vacancy-worker did not become ready" ready
consumed() { [[ $(sql "SELECT count(*) FROM event_log WHERE event_id = 'v-1'") == 1 ]]; }
until_true 30 "vacancy-worker did not consume the waiting event" consumed
say "passed: four services refused $previous < $newest; migrate --check waited for it"
