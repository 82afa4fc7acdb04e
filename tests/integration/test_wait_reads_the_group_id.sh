# `successionctl wait` measures the workers' progress under the consumer
# group they use: with the group-id setting, that one group on every input
# topic; without it, the default groups, which then have stored nothing.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

printf 'ods_code,name,kind,region\nRJ1,Guys and St Thomas,ACUTE_TRUST,LONDON\n' >"$IT_DIR/orgs.csv"
printf 'post_id,ods_code,role,top200\nRJ1-CEO,RJ1,CHIEF_EXECUTIVE,yes\n' >"$IT_DIR/posts.csv"
ctl import --organisations "$IT_DIR/orgs.csv" --posts "$IT_DIR/posts.csv" >/dev/null
{
    printf '{"topic":"vacancy","header":{"eventId":"v-1","occurredAt":"2026-03-01T09:00:00Z","source":"trust-hr"},"noticeGiven":{"postId":"RJ1-CEO","personId":"P1","reason":"LEAVING_REASON_RETIREMENT","leavingDate":"2026-12-31"}}\n'
    printf '{"topic":"appraisal","header":{"eventId":"n-1","occurredAt":"2026-03-01T09:00:00Z","source":"talent-review"},"successorNominated":{"postId":"RJ1-CEO","personId":"P2","readiness":"READINESS_READY_NOW","assessedOn":"2026-01-15"}}\n'
} >"$IT_DIR/events.jsonl"
ctl publish "$IT_DIR/events.jsonl" >/dev/null

group="it-group-$$"
for s in "${SERVICES[@]}"; do start_service "$s" --group-id "$group"; done
ctl --group-id "$group" wait --timeout 60 || fail "wait --group-id did not see the workers catch up"
assert_eq "offsets under the group" "2" \
    "$(sql "SELECT count(DISTINCT topic) FROM consumer_offset WHERE consumer_group = '$group'")"
rc=0
ctl wait --timeout 2 2>"$IT_DIR/wait.err" || rc=$?
assert_eq "wait under the default groups" 1 "$rc"
grep -q "vacancy-worker 1 behind" "$IT_DIR/wait.err" || fail "wait did not say who is behind: $(cat "$IT_DIR/wait.err")"
say "passed"
