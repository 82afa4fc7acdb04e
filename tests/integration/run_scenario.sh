# Runs one scenario folder through the real stack exactly as
# shared/scenarios/README.md says (import, publish, wait, status, alerts) and
# compares the final status, the last alert of every designated post and the
# outcome counts with expected.json; and, when the folder has an
# expected-programme.json (tests/scenarios/README.md), the programme's view
# as reported, as published and the first candidates for designation.
# Usage: bash run_scenario.sh SCENARIO_DIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

dir=${1:?scenario folder}
expected="$dir/expected.json"
IT_NAME="scenario $(basename "$dir")"

export SUCCESSION_NOW="$(jq -r .now "$expected")"
it_setup
start_services

ctl import --organisations "$dir/organisations.csv" --posts "$dir/posts.csv" >"$IT_DIR/import.out"
# --unchecked sends the invalid lines too, so that dead-lettering is tested.
ctl publish --unchecked "$dir/events.jsonl" >"$IT_DIR/publish.out"
ctl wait --timeout 120 || fail "wait did not return"
ctl status --json >"$IT_DIR/status.jsonl"
ctl alerts --from-beginning --json --until-idle >"$IT_DIR/alerts.jsonl"

# Every input line is accounted for, once.
for outcome in applied duplicate parked dead; do
    want=$(jq -r ".outcomes_if_every_line_is_published.$outcome" "$expected")
    got=$(sql "SELECT count(*) FROM event_outcome WHERE outcome = '$outcome'")
    assert_eq "events $outcome" "$want" "$got"
done

# The final picture of every designated post; empty, null and absent agree.
norm='{atRisk: (.atRisk // false), severity: (.severity // "SEVERITY_NONE"),
       readyNow: (.readyNow // 0), readySoon: (.readySoon // 0), reasons: (.reasons // []),
       staleNominations: (.staleNominations // 0),
       incumbentPersonId: ((.incumbentPersonId // "") | if . == "" then null else . end),
       leavingDate: ((.leavingDate // "") | if . == "" then null else . end)}'
want=$(jq -S "[.posts | to_entries[] | {key, value: (.value | $norm)}] | from_entries" "$expected")
got=$(jq -sS "[.[] | {key: .postId, value: ($norm)}] | from_entries" "$IT_DIR/status.jsonl")
[[ "$want" == "$got" ]] || fail "final status differs:
$(diff <(echo "$want") <(echo "$got"))"

# The last alert of each post agrees with its final status.
for post in $(jq -r '.posts | keys[]' "$expected"); do
    at_risk=$(jq -r --arg p "$post" '.posts[$p].atRisk' "$expected")
    severity=$(jq -r --arg p "$post" '.posts[$p].severity' "$expected")
    last=$(jq -sc --arg p "$post" '[.[] | select(.postId == $p)] | sort_by(.sequence) | last // empty' \
        "$IT_DIR/alerts.jsonl")
    if [[ $at_risk == true ]]; then
        [[ -n $last ]] || fail "$post: at risk but no alert"
        assert_eq "$post last alert severity" "$severity" "$(jq -r .severity <<<"$last")"
        [[ $(jq -r .state <<<"$last") != ALERT_STATE_RESOLVED ]] || fail "$post: last alert resolved"
    elif [[ -n $last ]]; then
        assert_eq "$post last alert state" ALERT_STATE_RESOLVED "$(jq -r .state <<<"$last")"
    fi
    # Sequences are gap-free from 1 (repeats allowed).
    seqs=$(jq -s --arg p "$post" '[.[] | select(.postId == $p) | .sequence] | unique' "$IT_DIR/alerts.jsonl")
    jq -e 'to_entries | all(.key + 1 == .value)' <<<"$seqs" >/dev/null || fail "$post: alert sequences $seqs"
done
programme="$dir/expected-programme.json"
if [[ -f "$programme" ]]; then
    # The members expected-programme.json lists, of the keys it lists, plus
    # every national and regional key there is (so that none can go missing).
    select_members() { # JSON Lines of summaries -> {key: {members...}} as expected lists them
        jq -sS --argjson want "$(jq .groups "$programme")" '
            map(select(.key == "national" or (.key | startswith("region:")) or
                       (.key as $k | $want | has($k))))
            | map({key, value: (. as $s | ($want[.key] // {}) | keys
                                | map({key: ., value: $s[.]}) | from_entries)})
            | from_entries'
    }
    want=$(jq -S .groups "$programme")
    ctl report --json >"$IT_DIR/report.jsonl"
    got=$(select_members <"$IT_DIR/report.jsonl")
    [[ "$want" == "$got" ]] || fail "report --json differs:
$(diff <(echo "$want") <(echo "$got"))"
    # The publisher sends the view at most every few seconds: poll the topic
    # for the last summary of every key.
    for _ in $(seq 1 40); do
        ctl report --published >"$IT_DIR/published.jsonl"
        got=$(jq -c 'select(.key)' "$IT_DIR/published.jsonl" | jq -sc 'group_by(.key) | map(last) | .[]' |
            select_members)
        [[ "$want" == "$got" ]] && break
        sleep 0.5
    done
    [[ "$want" == "$got" ]] || fail "the published summaries differ:
$(diff <(echo "$want") <(echo "$got"))"
    ctl candidates --json --limit 0 >"$IT_DIR/candidates.jsonl"
    want=$(jq -c .candidates "$programme")
    got=$(jq -sc --argjson n "$(jq '.candidates | length' "$programme")" 'map(.postId)[:$n]' \
        "$IT_DIR/candidates.jsonl")
    assert_eq "first candidates" "$want" "$got"
fi
say "passed ($(wc -l <"$IT_DIR/alerts.jsonl") alerts)"
