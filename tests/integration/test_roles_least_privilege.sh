# Each database role may do its work and is refused what it must not do
# (deploy/migrations/005, 006 and 008): a worker cannot change reference
# data, designations, settings or the ledger's history, nor evaluate (write
# a post's state or the outbox, lock posts, take dirty marks); the alert
# publisher evaluates but cannot change the model's facts or reference data; the
# operator cannot rewrite the ledger or drop anything. Every refusal must be
# PostgreSQL's "permission denied" (SQLSTATE 42501).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

printf 'ods_code,name,kind,region\nRJ1,Guys and St Thomas,ACUTE_TRUST,LONDON\n' >"$IT_DIR/orgs.csv"
printf 'post_id,ods_code,role,top200\nRJ1-CEO,RJ1,CHIEF_EXECUTIVE,yes\nRJ1-CFO,RJ1,FINANCE_DIRECTOR,no\n' >"$IT_DIR/posts.csv"
ctl import --organisations "$IT_DIR/orgs.csv" --posts "$IT_DIR/posts.csv" >/dev/null
for role in worker publisher operator; do
    psql "$IT_BASE_DB" -XAtq -c "DO \$\$ BEGIN CREATE ROLE it_$role LOGIN IN ROLE succession_$role;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END \$\$" >/dev/null
done
sql "INSERT INTO event_log (topic, partition, \"offset\", event_id, outcome) VALUES ('t', 0, 0, 'e', 'applied')"

# as ROLE SQL: runs SQL logged in as the role; prints the SQLSTATE on failure.
as() {
    psql "$SUCCESSION_DB user=it_$1" -XAtq -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "$2" 2>&1 |
        sed -n 's/^ERROR: *\([0-9A-Z]\{5\}\):.*/\1/p'
}
refused() { # ROLE SQL
    assert_eq "it_$1 may not: $2" 42501 "$(as "$1" "$2")"
}
allowed() { # ROLE SQL
    assert_eq "it_$1 may: $2" "" "$(as "$1" "$2")"
}

refused worker "UPDATE post SET designated = true WHERE post_id = 'RJ1-CFO'"
refused worker "INSERT INTO post (post_id, ods_code, role) VALUES ('X', 'RJ1', 'CHAIR')"
refused worker "UPDATE setting SET value = 999 WHERE name = 'designation_cap'"
refused worker "UPDATE event_log SET outcome = 'dead'"
refused worker "DELETE FROM event_log"
refused worker "DELETE FROM outbox"
refused worker "SELECT 1 FROM post FOR UPDATE"
refused worker "DELETE FROM nomination"
refused worker "SELECT lock_posts('{RJ1-CEO}')"
refused worker "INSERT INTO outbox (kind, post_id, payload) VALUES ('alert', 'RJ1-CEO', '')"
refused worker "UPDATE post_state SET severity = 0"
refused worker "DELETE FROM dirty_post"
allowed worker "INSERT INTO event_log (topic, partition, \"offset\", event_id, outcome) VALUES ('t', 0, 1, 'f', 'applied')"
allowed worker "INSERT INTO dirty_post (post_id, caused_by) VALUES ('RJ1-CEO', 'f')"
allowed worker "SELECT max(name) FROM schema_migration"
refused worker "DELETE FROM schema_migration"

refused publisher "UPDATE post SET designated = false"
refused publisher "UPDATE setting SET value = 1"
refused publisher "UPDATE event_log SET reason = 'x'"
refused publisher "DELETE FROM outbox_failed"
allowed publisher "DELETE FROM outbox WHERE id < 0"
allowed publisher "SELECT * FROM take_dirty()"

refused operator "UPDATE event_log SET outcome = 'dead'"
refused operator "DELETE FROM event_log"
refused operator "DELETE FROM post"
refused operator "TRUNCATE outbox"
refused operator "DROP TABLE nomination"
allowed operator "UPDATE post SET designated = false WHERE post_id = 'RJ1-CFO'"

# The designation a worker tried to change is as it was.
assert_eq "designations" "RJ1-CEO" "$(sql "SELECT string_agg(post_id, ',') FROM post WHERE designated")"
say "passed"
