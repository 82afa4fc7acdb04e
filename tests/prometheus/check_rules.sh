#!/usr/bin/env bash
# The Prometheus rules (deploy/prometheus), checked by Prometheus's own
# promtool: the syntax and the expressions, then the unit tests of every
# alert and recording rule (succession-rules.test.yml). Every alert must
# carry a summary, a description and a runbook_url naming its own section
# of deploy/README.md, which must exist, and must be tested.
set -euo pipefail
src="${SUCCESSION_SOURCE_DIR:?run through ctest}"
promtool="${SUCCESSION_PROMTOOL:-$src/.local/tools/prometheus/usr/bin/promtool}"
rules="$src/deploy/prometheus/succession-rules.yml"
tests="$src/tests/prometheus/succession-rules.test.yml"
[[ -x $promtool ]] || { echo "no promtool at $promtool: run ./deploy/dev.sh setup" >&2; exit 1; }

"$promtool" check rules "$rules"
"$promtool" test rules "$tests"

bad=0
complain() { echo "$*" >&2; bad=1; }
# Each alert's block runs from its "- alert:" line to the next one.
alerts=$(sed -n 's/^ *- alert: *//p' "$rules")
[[ -n $alerts ]] || complain "no alert in $rules"
for alert in $alerts; do
    block=$(awk -v a="$alert" '/^ *- (alert|record):/ { on = ($3 == a) } on' "$rules")
    anchor=$(tr '[:upper:]' '[:lower:]' <<<"$alert")
    grep -q '^ *summary: ' <<<"$block" || complain "$alert: no summary"
    grep -q '^ *description: ' <<<"$block" || complain "$alert: no description"
    grep -qx " *runbook_url: deploy/README.md#$anchor" <<<"$block" ||
        complain "$alert: runbook_url is not deploy/README.md#$anchor"
    grep -qx "### $alert" "$src/deploy/README.md" || complain "$alert: no '### $alert' in deploy/README.md"
    grep -q "alertname: $alert\$" "$tests" || complain "$alert: not in $(basename "$tests")"
done
((bad == 0)) && echo "$(wc -w <<<"$alerts") alerts: each described, with its runbook section, and tested"
exit "$bad"
