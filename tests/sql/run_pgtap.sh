# The pgTAP tests of the SQL (tests/sql/test_*.sql), on the test server:
# a scratch database migrated as a deployment is (successionctl migrate),
# pgTAP installed in it, each file run by psql in a transaction it rolls
# back, the database dropped afterwards. A file passes when psql exits 0,
# every test it planned ran, and none said "not ok".
# Usage: bash run_pgtap.sh ARRAY_LITERAL (the tests/sql/array_literal tool)
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

IT_NAME=pgtap
array_literal=${1:?the array_literal tool}
[[ -x $array_literal ]] || fail "$array_literal is not built"

it_database
[[ $(sql "SELECT count(*) FROM pg_available_extensions WHERE name = 'pgtap'") == 1 ]] ||
    fail "pgTAP is not installed on the test server: install the Debian package postgresql-15-pgtap (./deploy/dev.sh setup does)"
sql "CREATE EXTENSION pgtap" >/dev/null

literal=$("$array_literal" literal) || fail "array_literal literal"
elements=$("$array_literal" elements) || fail "array_literal elements"

total=0
for file in "$(dirname "${BASH_SOURCE[0]}")"/test_*.sql; do
    name=$(basename "$file")
    out="$IT_DIR/${name%.sql}.tap"
    rc=0
    psql "$SUCCESSION_DB" -XAtq -v ON_ERROR_STOP=1 -v literal="$literal" -v elements="$elements" \
        -f "$file" >"$out" 2>&1 || rc=$?
    planned=$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$out")
    passed=$(grep -c '^ok ' "$out" || true)
    if ((rc != 0)) || [[ -z $planned ]] || ((passed != planned)) || grep -q '^not ok' "$out"; then
        cat "$out" >&2
        fail "$name: psql exited $rc, ${planned:-no} tests planned, $passed passed"
    fi
    say "$name: $passed tests passed"
    total=$((total + passed))
done
((total > 0)) || fail "no pgTAP test ran"
say "passed: $total tests"
