# The dashboard in a real browser on the real stack: the shared scenario
# 01-basics, the project's p1-greedy-trap and a post whose ids are hostile
# markup are imported and published through the services, then
# tests/browser/dashboard.mjs drives headless Chromium against
# succession-dashboard: the national table, every post's detail and the
# programme's numbers against successionctl, an event published while the
# page is open (the time from publish to page is printed), hostile ids,
# keyboard, phone width, and screenshots under the build tree.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

: "${SUCCESSION_WEB_MODULES:?the npm packages of deploy/web (./deploy/dev.sh setup)}"
: "${SUCCESSION_ARTIFACTS:?where the screenshots go}"
command -v node >/dev/null || fail "node is missing (./deploy/dev.sh setup)"
[[ -x ${CHROMIUM:=/usr/bin/chromium} ]] || fail "$CHROMIUM is missing (./deploy/dev.sh setup)"
export CHROMIUM

export SUCCESSION_NOW=2026-06-01T00:00:00Z
it_setup
start_services

scenarios=("${SUCCESSION_SCENARIOS_DIR:?the shared scenarios}/01-basics"
           "$SUCCESSION_SOURCE_DIR/tests/scenarios/p1-greedy-trap")
for dir in "${scenarios[@]}"; do
    ctl import --organisations "$dir/organisations.csv" --posts "$dir/posts.csv" >/dev/null
    ctl publish "$dir/events.jsonl" >/dev/null
done

# Ids come from upstream systems: markup, quotes and a control character
# must reach the page as text.
hostile_post=$'<script>alert("post")</script>\'\x01'
printf 'ods_code,name,kind,region\nXSS1,"<img src=x onerror=alert(1)> ""Trust""",ACUTE_TRUST,LONDON\n' \
    >"$IT_DIR/organisations.csv"
printf 'post_id,ods_code,role,top200\n"%s",XSS1,CHIEF_EXECUTIVE,yes\n' "${hostile_post//\"/\"\"}" \
    >"$IT_DIR/posts.csv"
ctl import --organisations "$IT_DIR/organisations.csv" --posts "$IT_DIR/posts.csv" >/dev/null
jq -nc --arg post "$hostile_post" '{topic: "appraisal",
    header: {eventId: "xss-1", occurredAt: "2026-05-01T09:00:00Z", source: "talent-review"},
    successorNominated: {postId: $post, personId: "<b>P\"1'\''</b>", readiness: "READINESS_READY_NOW",
                         emergencyCover: false, assessedOn: "2026-04-30"}}' >"$IT_DIR/hostile.jsonl"
ctl publish "$IT_DIR/hostile.jsonl" >/dev/null
ctl wait --timeout 120 >/dev/null || fail "wait did not return"

# The event the page must show while open: a ready-now successor for the
# critical RX1-CEO, which resolves its alert.
jq -nc '{topic: "appraisal",
    header: {eventId: "live-1", occurredAt: "2026-05-31T09:00:00Z", source: "talent-review"},
    successorNominated: {postId: "RX1-CEO", personId: "P-LIVE", readiness: "READINESS_READY_NOW",
                         emergencyCover: false, assessedOn: "2026-05-30"}}' >"$IT_DIR/flip.json"

port=$(free_port)
health=$(free_port)
start_service succession-dashboard --dashboard-port "$port" --http-port "$health"
for _ in $(seq 1 100); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$health/readyz") == 200 ]] && break
    sleep 0.2
done
curl -fsS "http://127.0.0.1:$health/readyz" >/dev/null || fail "the dashboard did not catch up"

node "$SUCCESSION_SOURCE_DIR/tests/browser/dashboard.mjs" test "http://127.0.0.1:$port/" \
    "$SUCCESSION_ARTIFACTS" "$IT_DIR/flip.json" "$hostile_post" || fail "the browser checks failed"
say "passed; screenshots in $SUCCESSION_ARTIFACTS"
