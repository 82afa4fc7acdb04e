# successionctl import checks every row before it writes anything: a post's
# organisation may be in the organisations file or already in the database;
# the problems come out on stderr in file and line order (the first 20, then
# their count), with exit status 1 and nothing imported.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
it_setup

kinds='ACUTE_TRUST, MENTAL_HEALTH_TRUST, COMMUNITY_TRUST, AMBULANCE_TRUST, SPECIALIST_TRUST, CCG, ICB'
roles='CHIEF_EXECUTIVE, FINANCE_DIRECTOR, MEDICAL_DIRECTOR, NURSING_DIRECTOR, CHIEF_OPERATING_OFFICER, CHAIR, OTHER_DIRECTOR'
orgs="$IT_DIR/orgs.csv" more="$IT_DIR/more-orgs.csv" posts="$IT_DIR/posts.csv"

# import_refused WHAT EXPECTED_STDERR ARGS...: the import fails with exactly that.
import_refused() {
    local what=$1 expected=$2 rc=0
    shift 2
    ctl import "$@" >"$IT_DIR/out" 2>"$IT_DIR/err" || rc=$?
    assert_eq "$what: exit status" 1 "$rc"
    assert_eq "$what: stdout" "" "$(cat "$IT_DIR/out")"
    assert_eq "$what: stderr" "$expected" "$(cat "$IT_DIR/err")"
    assert_eq "$what: posts written" 0 "$(sql "SELECT count(*) FROM post")"
    assert_eq "$what: organisations" "RJ1 RX1" \
        "$(sql "SELECT string_agg(ods_code, ' ' ORDER BY ods_code) FROM organisation")"
}

printf 'ods_code,name,kind,region\nRJ1,Guys,ACUTE_TRUST,LONDON\nRX1,Nottingham,ACUTE_TRUST,MIDLANDS\n' >"$orgs"
assert_eq "organisations alone" "imported 2 organisations, 0 posts (0 designated)" \
    "$(ctl import --organisations "$orgs" | sed 's/;.*//')"

printf 'ods_code,name,kind,region\nRJ2,Leeds,ACUTE_TRUST,LONDON\nRJ3,Bad,HOSPITAL,LONDON\n' >"$more"
printf 'post_id,ods_code,role,top200\nP1,RJ1,CHAIR,yes\nP2,RJ2,CHAIR,no\nP3,RZZ,CHAIR,no\nP4,RX1,CEO,no\nP5,RX1,CHAIR,maybe\n' >"$posts"
import_refused "both files" "successionctl import: $more:3: kind: 'HOSPITAL' is not one of $kinds
successionctl import: $posts:4: ods_code: 'RZZ' is not an organisation in $more or in the database
successionctl import: $posts:5: role: 'CEO' is not one of $roles
successionctl import: $posts:6: top200: 'maybe' is not yes or no
successionctl import: nothing imported: 4 problems" --posts "$posts" --organisations "$more"

import_refused "posts alone" "successionctl import: $posts:3: ods_code: 'RJ2' is not an organisation in the database
successionctl import: $posts:4: ods_code: 'RZZ' is not an organisation in the database
successionctl import: $posts:5: role: 'CEO' is not one of $roles
successionctl import: $posts:6: top200: 'maybe' is not yes or no
successionctl import: nothing imported: 4 problems" --posts "$posts"

import_refused "missing file" "successionctl import: $IT_DIR/none.csv: cannot open: No such file or directory
successionctl import: nothing imported: 1 problem" --organisations "$IT_DIR/none.csv"

# 21 problems: the first 20 shown, all counted.
expected=""
{
    echo 'post_id,ods_code,role,top200'
    for i in $(seq 21); do echo "P$i,RJ1,CHAIR,maybe"; done
} >"$posts"
for i in $(seq 2 21); do
    expected+="successionctl import: $posts:$i: top200: 'maybe' is not yes or no"$'\n'
done
import_refused "too many problems" "${expected}successionctl import: nothing imported: 21 problems, the first 20 shown" \
    --posts "$posts"

printf 'post_id,ods_code,role,top200\nP1,RJ1,CHAIR,yes\nP2,RX1,CHAIR,No\n' >"$posts"
assert_eq "posts of known organisations" "imported 0 organisations, 2 posts (1 designated)" \
    "$(ctl import --posts "$posts" | sed 's/;.*//')"
assert_eq "posts written" "P1 true, P2 false" \
    "$(sql "SELECT string_agg(post_id || ' ' || designated, ', ' ORDER BY post_id) FROM post")"
say "passed"
