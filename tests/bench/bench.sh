# The benchmark: throughput, alert latency, memory and start-up of the real
# services on the real stack. Reports numbers and writes them as JSON and a
# chart; asserts only that every run accounted for every event and that the
# pictures agree with a reference computed another way.
#
# Runs (each in a database and topics of its own):
#   - replays of the first 50,000, 200,000 and 1,000,000 events of one
#     national stream (450 organisations, 2,700 posts, 200 designated): the
#     events are published first, then the services start and the clock runs
#     until every worker has caught up, every dirty post is evaluated and the
#     outbox is empty;
#   - 200,000 events of a 10x world (4,500 organisations, 27,000 posts,
#     2,000 designated, the designation cap raised);
#   - the 200,000 national events with two instances of every worker;
#   - the first 5,000 events committed one by one (--batch-max-events 1),
#     against the same 5,000 batched;
#   - alert latency, publish to alert on the topic, idle and with 1,000
#     events a second offered;
#   - pg_stat_statements of every run: where the database's time goes;
#   - the wire: each way libpq offers of handing a batch to PostgreSQL
#     (tests/bench/wire_bench.c), microseconds per event.
# Run through ./deploy/dev.sh bench (which starts the stack and builds).
source "$(dirname "${BASH_SOURCE[0]}")/../integration/lib.sh"

OUT=${SUCCESSION_BENCH_OUT:-${SUCCESSION_SOURCE_DIR:?}/.local/bench}
read -r -a SIZES <<<"${SUCCESSION_BENCH_SIZES:-50000 200000 1000000}"
WIDE_SIZE=${SUCCESSION_BENCH_WIDE_SIZE:-200000}
PER_EVENT_LINES=${SUCCESSION_BENCH_PER_EVENT_LINES:-5000}
PROBES=${SUCCESSION_BENCH_PROBES:-200}
LOAD_RATE=${SUCCESSION_BENCH_LOAD_RATE:-1000}
WORKERS=(vacancy-worker appointment-worker appraisal-worker)
RESULTS="$OUT/results.json"
mkdir -p "$OUT"
echo '{"runs": []}' >"$RESULTS"
ms() { echo $(($(date +%s%N) / 1000000)); }
# record JQ_FILTER ARGS...: updates results.json.
record() {
    local tmp="$RESULTS.tmp"
    jq "$@" "$RESULTS" >"$tmp" && mv "$tmp" "$RESULTS"
}

# The streams: one national one, its prefixes the runs' inputs, and a 10x world.
largest=${SIZES[-1]}
say "generating a national stream of at least $largest events and a 10x world"
simulator --out "$IT_DIR/national" --seed 5 --events $((largest * 115 / 100)) >/dev/null
simulator --out "$IT_DIR/wide" --seed 7 --organisations 4500 --designated 2000 \
    --events "$WIDE_SIZE" >/dev/null
((largest <= $(wc -l <"$IT_DIR/national/events.jsonl"))) || fail "the national stream is too short"

# start_all [ARGS...]: INSTANCES (1) of every worker (ARGS theirs) and the
# publisher, each with health on a free port; sets READY_MS, the time from
# the first start to the last /readyz 200.
INSTANCES=1
start_all() {
    local w k n port t0
    local -a ports=()
    t0=$(ms)
    for w in "${WORKERS[@]}" alert-publisher; do
        n=$INSTANCES
        [[ $w == alert-publisher ]] && n=1
        for ((k = 0; k < n; k++)); do
            port=$(free_port)
            if [[ $w == alert-publisher ]]; then start_service "$w" --http-port "$port"
            else start_service "$w" --http-port "$port" "$@"; fi
            ports+=("$port")
        done
    done
    for port in "${ports[@]}"; do
        until [[ $(curl -s "http://127.0.0.1:$port/readyz") == ready ]]; do
            (($(ms) - t0 < 30000)) || fail "a service on port $port is not ready after 30 s"
            sleep 0.01
        done
    done
    READY_MS=$(($(ms) - t0))
}

# Peak resident memory (VmHWM, kB) of every service this test started, as JSON.
memory_json() {
    local pid name
    for pid in "${IT_PIDS[@]}"; do
        [[ -r /proc/$pid/status ]] || continue
        name=$(tr '\0' ' ' </proc/"$pid"/cmdline | awk '{print $1}' | xargs basename)
        printf '{"service":"%s","peak_rss_kb":%s}\n' "$name" "$(awk '/VmHWM/ {print $2}' /proc/"$pid"/status)"
    done | jq -s 'group_by(.service) | map({(.[0].service): (map(.peak_rss_kb) | max)}) | add'
}

# replay NAME DIR LINES [WORKER_ARGS...]: the first LINES events of DIR's
# stream, published, then applied by freshly started services; sets RATE.
replay() {
    local name=$1 dir=$2 lines=$3
    shift 3
    it_setup "$name"
    IT_LOG_SUFFIX=".$name"
    local designated
    designated=$(grep -c ',yes$' "$dir/posts.csv")
    ((designated <= 200)) || ctl settings "designation_cap=$designated" >/dev/null
    ctl import --organisations "$dir/organisations.csv" --posts "$dir/posts.csv" >/dev/null
    head -n "$lines" "$dir/events.jsonl" >"$IT_DIR/input.jsonl"
    local t0 publish_ms took
    t0=$(ms)
    ctl publish --unchecked "$IT_DIR/input.jsonl" >/dev/null || true
    publish_ms=$(($(ms) - t0))
    psql "$SUCCESSION_DB" -XAtq -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
                                    SELECT pg_stat_statements_reset()" >/dev/null
    t0=$(ms)
    start_all "$@"
    ctl wait --timeout 3600 >/dev/null || fail "$name did not catch up"
    took=$(($(ms) - t0))
    local logged
    logged=$(sql "SELECT count(*) FROM event_log")
    [[ $logged == "$lines" ]] || fail "$name: $logged of $lines events in the ledger"
    RATE=$((lines * 1000 / took))
    record --arg name "$name" --argjson lines "$lines" --argjson took "$took" \
        --argjson rate "$RATE" --argjson publish_ms "$publish_ms" --argjson ready "$READY_MS" \
        --argjson posts "$(sql "SELECT count(*) FROM post")" --argjson designated "$designated" \
        --argjson memory "$(memory_json)" --argjson statements "$(top_statements)" \
        '.runs += [{name: $name, events: $lines, seconds: ($took / 1000), events_per_second: $rate,
                    publish_seconds: ($publish_ms / 1000), ready_ms: $ready, posts: $posts,
                    designated: $designated, peak_rss_kb: $memory, top_statements: $statements}]'
    say "$name: $lines events in $((took / 1000)).$(((took % 1000) / 100)) s = $RATE events/s (published in $((publish_ms / 1000)) s; ready after $READY_MS ms)"
}

# The database's top statements of the run, by total time, as JSON.
top_statements() {
    psql "$SUCCESSION_DB" -XAtq -c "
        SELECT coalesce(json_agg(t), '[]') FROM (
            SELECT calls, round(total_exec_time) AS total_ms, round(mean_exec_time::numeric, 2) AS mean_ms,
                   left(regexp_replace(query, '\s+', ' ', 'g'), 72) AS query
            FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
            ORDER BY total_exec_time DESC LIMIT 6) t"
}

finish_run() {
    final_pictures >"$IT_DIR/$1.pictures"
    stop_services || fail "$1: a service did not stop cleanly"
}

# 1. The national curve; the first run again with other batches, as a check.
for n in "${SIZES[@]}"; do
    replay "national_$n" "$IT_DIR/national" "$n"
    finish_run "national_$n"
done
replay check_batches_of_37 "$IT_DIR/national" "${SIZES[0]}" --batch-max-events 37
finish_run check_batches_of_37
cmp -s "$IT_DIR/national_${SIZES[0]}.pictures" "$IT_DIR/check_batches_of_37.pictures" ||
    fail "pictures differ between batches of 500 and of 37"

# 2. The 10x world.
replay wide_$WIDE_SIZE "$IT_DIR/wide" "$WIDE_SIZE"
finish_run wide_$WIDE_SIZE

# 3. Two instances of every worker, on the middle size.
middle=${SIZES[$((${#SIZES[@]} / 2))]}
INSTANCES=2
replay two_instances_$middle "$IT_DIR/national" "$middle"
finish_run two_instances_$middle
INSTANCES=1

# 4. One commit per event, against the same events batched.
replay per_event_$PER_EVENT_LINES "$IT_DIR/national" "$PER_EVENT_LINES" --batch-max-events 1
finish_run per_event_$PER_EVENT_LINES
replay batched_$PER_EVENT_LINES "$IT_DIR/national" "$PER_EVENT_LINES"
finish_run batched_$PER_EVENT_LINES
cmp -s "$IT_DIR/per_event_$PER_EVENT_LINES.pictures" "$IT_DIR/batched_$PER_EVENT_LINES.pictures" ||
    fail "pictures differ between one commit per event and batches"

# 5. Latency: a post of its own with one ready-now and one ready-soon
# successor; each probe withdraws or restores the ready-now one.
# The earlier runs' writes are flushed first, so that their checkpoint does
# not land in the middle of the probes.
sql "CHECKPOINT" >/dev/null || true
it_setup latency
IT_LOG_SUFFIX=.latency
ctl settings designation_cap=201 >/dev/null
ctl import --organisations "$IT_DIR/national/organisations.csv" --posts "$IT_DIR/national/posts.csv" >/dev/null
printf 'ods_code,name,kind,region\nZZ9,Probe NHS Trust,ACUTE_TRUST,LONDON\n' >"$IT_DIR/probe-orgs.csv"
printf 'post_id,ods_code,role,top200\nZZ9-CEO,ZZ9,CHIEF_EXECUTIVE,yes\n' >"$IT_DIR/probe-posts.csv"
ctl import --organisations "$IT_DIR/probe-orgs.csv" --posts "$IT_DIR/probe-posts.csv" >/dev/null
today=$(date -u +%F)
for who in "P-PROBE READINESS_READY_NOW" "P-SOON READINESS_READY_1_2_YEARS"; do
    read -r person readiness <<<"$who"
    printf '{"topic":"appraisal","header":{"eventId":"setup-%s","occurredAt":"2020-01-01T00:00:00Z","source":"bench"},"successorNominated":{"postId":"ZZ9-CEO","personId":"%s","readiness":"%s","assessedOn":"%s"}}\n' \
        "$person" "$person" "$readiness" "$today"
done | ctl publish - >/dev/null
start_all
ctl wait --timeout 600 >/dev/null || fail "the latency run did not settle"
idle=$("$SUCCESSION_BIN/latency_probe" ZZ9-CEO P-PROBE 50 100) || fail "idle probes: $idle"
say "alert latency, idle: $idle"
# The binary itself in the background (not through the ctl function, whose
# subshell would be what kill stops), so that the load ends with the probes.
"$SUCCESSION_BIN/successionctl" publish --unchecked --rate "$LOAD_RATE" \
    "$IT_DIR/national/events.jsonl" >/dev/null 2>&1 &
load=$!
sleep 5
loaded=$("$SUCCESSION_BIN/latency_probe" ZZ9-CEO P-PROBE "$PROBES" 50) || fail "probes under load: $loaded"
kill "$load" 2>/dev/null || true
wait "$load" 2>/dev/null || true
say "alert latency, $LOAD_RATE events/s offered: $loaded"
record --argjson idle "$idle" --argjson loaded "$loaded" --argjson rate "$LOAD_RATE" \
    '.latency = {idle: $idle, loaded: ($loaded + {offered_events_per_second: $rate})}'
stop_services || fail "the latency run did not stop cleanly"

# 6. The wire into PostgreSQL: what each way of handing a batch over costs
# per event, at full batches and at the small ones of a light load.
it_setup wire
for per in 500 50; do
    "$SUCCESSION_BIN/wire_bench" $((20000 / per)) "$per" >>"$IT_DIR/wire.jsonl" || fail "wire_bench failed"
done
record --slurpfile wire "$IT_DIR/wire.jsonl" '.wire = $wire'

# The machine, and the table and the chart.
record --arg date "$(date -u +%F)" --argjson cores "$(nproc)" \
    --argjson memory_gib "$(awk '/MemTotal/ {printf "%d", $2 / 1048576 + 0.5}' /proc/meminfo)" \
    '.date = $date | .machine = {cores: $cores, memory_gib: $memory_gib}'
jq -r '.runs[] | select(.name | startswith("national_")) | "\(.events) \(.events_per_second)"' \
    "$RESULTS" >"$OUT/national.dat"
jq -r '.runs[] | select(.name | startswith("wide_") or startswith("two_instances") or startswith("per_event")) |
       "\(.events) \(.events_per_second) \(.name)"' "$RESULTS" >"$OUT/others.dat"
gnuplot <<EOF
set terminal pngcairo size 900,560 font ",11"
set output "$OUT/scaling.png"
set title "Replay throughput as the stream grows (2 cores, fsync on)"
set xlabel "events in the stream"
set ylabel "events per second"
set logscale x
set format x "%.0s%c"
set yrange [0:*]
set key bottom left
set grid
plot "$OUT/national.dat" using 1:2 with linespoints lw 2 pt 7 title "national world (450 organisations, 200 designated)", \\
     "$OUT/others.dat" using 1:2:3 with labels point pt 5 offset 1,1 left notitle
EOF
say "results: $RESULTS, chart: $OUT/scaling.png"
jq -r '"| run | events | events/s | peak RSS, largest worker (MB) | publisher (MB) | ready after (ms) |",
       "|---|---|---|---|---|---|",
       (.runs[] | "| \(.name) | \(.events) | \(.events_per_second) | \([.peak_rss_kb | to_entries[] | select(.key | endswith("worker")) | .value] | max / 102.4 | round / 10) | \((.peak_rss_kb["alert-publisher"] // 0) / 102.4 | round / 10) | \(.ready_ms) |"),
       "",
       "| wire, microseconds per event (client + server) | batches of 500 | batches of 50 |",
       "|---|---|---|",
       (.wire | group_by(.method)[] | "| \(.[0].method) | \(map(select(.batch == 500))[0].total_us_per_event) | \(map(select(.batch == 50))[0].total_us_per_event) |"),
       "",
       "alert latency, idle: p50 \(.latency.idle.p50_ms) ms, p99 \(.latency.idle.p99_ms) ms; at \(.latency.loaded.offered_events_per_second) events/s: p50 \(.latency.loaded.p50_ms) ms, p99 \(.latency.loaded.p99_ms) ms, max \(.latency.loaded.max_ms) ms",
       "machine: \(.machine.cores) cores, \(.machine.memory_gib) GiB; \(.date)"' "$RESULTS"
