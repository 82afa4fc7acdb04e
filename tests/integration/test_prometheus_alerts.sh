# A real Prometheus (Debian's, unpacked by ./deploy/dev.sh setup) scrapes
# the four services every second and evaluates deploy/prometheus's rules
# every second, from a copy of the rules file whose every `for:` is 5 s (the
# expressions are the file's own). Every metric the rules read is one the
# services expose, and nothing fires while all is well. With PostgreSQL
# stopped, SuccessionDatabaseDown reaches "firing" in Prometheus's own API;
# with PostgreSQL back, it resolves. It stops the shared PostgreSQL, so
# ctest runs it alone.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

prometheus="${SUCCESSION_PROMETHEUS:-$SUCCESSION_SOURCE_DIR/.local/tools/prometheus/usr/bin/prometheus}"
[[ -x $prometheus ]] || fail "no Prometheus at $prometheus: run ./deploy/dev.sh setup"
stack="$SUCCESSION_SOURCE_DIR/deploy/dev.sh"
rules="$SUCCESSION_SOURCE_DIR/deploy/prometheus/succession-rules.yml"

it_setup
# PostgreSQL comes back whatever happens, before the database is dropped.
PG_STOPPED=0
finish() {
    local rc=$?
    if ((PG_STOPPED)); then "$stack" pg-start >/dev/null || rc=1; fi
    it_teardown "$rc"
}
trap finish EXIT

targets=""
for service in "${SERVICES[@]}"; do
    port=$(free_port)
    start_service "$service" --http-port "$port"
    targets+="${targets:+, }'127.0.0.1:$port'"
done
sed -E 's/^( +for: ).*/\15s/' "$rules" >"$IT_DIR/rules.yml"
cat >"$IT_DIR/prometheus.yml" <<YAML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: ['$IT_DIR/rules.yml']
scrape_configs:
  - job_name: succession
    static_configs:
      - targets: [$targets]
YAML
api_port=$(free_port)
api="http://127.0.0.1:$api_port"
"$prometheus" --config.file="$IT_DIR/prometheus.yml" --storage.tsdb.path="$IT_DIR/tsdb" \
    --web.listen-address="127.0.0.1:$api_port" --log.level=warn >>"$IT_DIR/prometheus.log" 2>&1 &
IT_PIDS+=($!)

# A few events, so that the workers hold partitions and commit batches.
ctl publish "$SUCCESSION_SOURCE_DIR/tests/scenarios/p1-greedy-trap/events.jsonl" >/dev/null
ctl wait --timeout 60 >/dev/null || fail "the services did not take the events"

up_targets() { curl -sf "$api/api/v1/targets" | jq '[.data.activeTargets[] | select(.health == "up")] | length'; }
all_up() { [[ $(up_targets) == "${#SERVICES[@]}" ]]; }
until_true 60 "Prometheus does not scrape every service" all_up

# Every metric a rule reads is one the services expose.
names() { curl -sf "$api/api/v1/label/__name__/values" | jq -r '.data[]'; }
has_lag() { names | grep -qx succession_consumer_lag; }
until_true 30 "no consumer lag scraped" has_lag
names >"$IT_DIR/names"
for metric in $(grep -oP '(?<![:a-z_])succession_[a-z_]+(?![:a-z_])' "$rules" | sort -u); do
    grep -qx "$metric" "$IT_DIR/names" || fail "the rules read $metric, which no service exposes"
done

# The active alerts (pending or firing), and the state of one of them ("" when
# inactive).
alerts() { curl -sf "$api/api/v1/alerts" | jq -c '.data.alerts'; }
alert_state() {
    alerts | jq -r --arg a "$1" '[.[] | select(.labels.alertname == $a) | .state] | unique | join(",")'
}
evaluated() {
    curl -sf "$api/api/v1/rules" |
        jq -e '[.data.groups[].rules[].lastEvaluation | select(startswith("0001") | not)] | length > 0' >/dev/null
}
until_true 30 "Prometheus evaluated no rule" evaluated
sleep 6 # longer than every `for:`: a healthy stack would fire by now if at all
assert_eq "alerts while all is well" "" "$(alerts | jq -r '[.[].labels.alertname] | unique | join(",")')"

PG_STOPPED=1
"$stack" pg-stop >/dev/null
firing() { [[ $(alert_state SuccessionDatabaseDown) == firing ]]; }
until_true 60 "SuccessionDatabaseDown did not fire with PostgreSQL down" firing
say "SuccessionDatabaseDown fired for $(alerts | jq -c '[.[] | select(.labels.alertname == "SuccessionDatabaseDown") | .labels.service]')"

"$stack" pg-start >/dev/null
PG_STOPPED=0
resolved() { [[ -z $(alert_state SuccessionDatabaseDown) ]]; }
until_true 60 "SuccessionDatabaseDown did not resolve with PostgreSQL back" resolved
say "passed: SuccessionDatabaseDown fired and resolved"
