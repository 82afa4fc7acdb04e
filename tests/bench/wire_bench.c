/* wire_bench: what it costs to hand a batch of events to PostgreSQL, by
 * each way libpq offers, measured on the real server. Every method upserts
 * the same batches of successorNominated events (latest occurredAt wins, as
 * the workers do) into a table of its own, one transaction a batch:
 *
 *   json_functions  the events as a JSON array, fields reached through
 *                   event_kind()/event_body(), as the workers did up to
 *                   migration 007 (made here as temporary functions)
 *   json_paths      the same JSON, fields reached by their paths
 *   text_arrays     one text-format array parameter per column, unnest()
 *   binary_arrays   the same arrays in PostgreSQL's binary format
 *   copy            COPY into a temporary table, then INSERT ... SELECT
 *   pipeline_rows   one prepared single-row upsert per event, pipelined
 *
 * Client time is what building the parameters costs here (CPU time of this
 * process); total time includes the server. Prints one JSON object per
 * method. Needs a migrated database (SUCCESSION_DB).
 *
 * Usage: wire_bench [BATCHES [EVENTS_PER_BATCH]] */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "pbjson.h"
#include "succession/v1/appraisal.pb-c.h"

#define POSTS   2700
#define PERSONS 15000

typedef struct event {
    char event_id[48], post_id[16], person_id[16];
    int readiness; /* 1 ready now, 2 in 1-2 years */
    int emergency;
    int32_t assessed_days;   /* since 1970-01-01 */
    int64_t occurred_micros; /* since 1970-01-01 */
} event_t;

typedef struct buf {
    char *data;
    size_t len, cap;
} buf_t;

static void die(const char *what, PGconn *conn)
{
    fprintf(stderr, "wire_bench: %s: %s\n", what, conn ? PQerrorMessage(conn) : "out of memory");
    exit(1);
}

static void put(buf_t *b, const void *data, size_t len)
{
    if (b->len + len + 1 > b->cap) {
        b->cap = (b->len + len + 1) * 2;
        b->data = realloc(b->data, b->cap);
        if (!b->data)
            die("realloc", NULL);
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

static void put_str(buf_t *b, const char *s)
{
    put(b, s, strlen(s));
}

static void put_u32(buf_t *b, uint32_t v)
{
    v = htonl(v);
    put(b, &v, 4);
}

static double cpu_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static double wall_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static void exec_ok(PGconn *conn, const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        die(sql, conn);
    PQclear(r);
}

static void check(PGconn *conn, PGresult *r, const char *what)
{
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        die(what, conn);
    PQclear(r);
}

/* ---- the events ---- */

static void make_events(event_t *e, size_t n, size_t batch_no)
{
    for (size_t i = 0; i < n; i++) {
        unsigned r = (unsigned)(batch_no * 7919 + i * 104729);
        snprintf(e[i].event_id, sizeof e[i].event_id, "bench-%zu-%zu", batch_no, i);
        snprintf(e[i].post_id, sizeof e[i].post_id, "R%04u-CEO", r % POSTS);
        snprintf(e[i].person_id, sizeof e[i].person_id, "P%05u",
                 (unsigned)((r / POSTS + i) % PERSONS));
        e[i].readiness = 1 + (int)(r % 2);
        e[i].emergency = (int)(r % 5 == 0);
        e[i].assessed_days = 20000 + (int32_t)(r % 500);
        e[i].occurred_micros = (int64_t)(1700000000 + batch_no * 1000 + i) * 1000000;
    }
}

static void format_date(int32_t days, char *out)
{
    time_t t = (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 11, "%Y-%m-%d", &tm);
}

static void format_instant(int64_t micros, char *out)
{
    time_t t = (time_t)(micros / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- json: the worker's encoding, through pbjson ---- */

static void build_json(const event_t *e, size_t n, buf_t *out)
{
    json_t *array = json_array();
    for (size_t i = 0; i < n; i++) {
        Succession__V1__EventHeader h = SUCCESSION__V1__EVENT_HEADER__INIT;
        Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
        Succession__V1__SuccessorNominated body = SUCCESSION__V1__SUCCESSOR_NOMINATED__INIT;
        Succession__V1__AppraisalEvent ev = SUCCESSION__V1__APPRAISAL_EVENT__INIT;
        char assessed[11];
        format_date(e[i].assessed_days, assessed);
        at.seconds = e[i].occurred_micros / 1000000;
        h.event_id = (char *)e[i].event_id;
        h.occurred_at = &at;
        h.source = "bench";
        body.post_id = (char *)e[i].post_id;
        body.person_id = (char *)e[i].person_id;
        body.readiness = e[i].readiness;
        body.emergency_cover = e[i].emergency;
        body.assessed_on = assessed;
        ev.header = &h;
        ev.event_case = SUCCESSION__V1__APPRAISAL_EVENT__EVENT_SUCCESSOR_NOMINATED;
        ev.successor_nominated = &body;
        json_array_append_new(array, json_pack("{s:i, s:I, s:o}", "partition", 0, "offset",
                                               (json_int_t)i, "event", pbjson_encode(&ev.base)));
    }
    char *text = json_dumps(array, JSON_COMPACT);
    json_decref(array);
    if (!text)
        die("json_dumps", NULL);
    out->len = 0;
    put_str(out, text);
    free(text);
}

static const char json_functions_sql[] =
    "INSERT INTO wire_json_functions AS t SELECT DISTINCT ON (b->>'postId', b->>'personId') "
    "b->>'postId', b->>'personId', b->>'readiness', coalesce((b->>'emergencyCover')::boolean, "
    "false), (b->>'assessedOn')::date, (h->>'occurredAt')::timestamptz, h->>'eventId' "
    "FROM jsonb_array_elements($1::jsonb) x, LATERAL (SELECT pg_temp.event_kind(x->'event') AS k, "
    "pg_temp.event_body(x->'event') AS b, x->'event'->'header' AS h) f WHERE k = "
    "'successorNominated' "
    "ORDER BY b->>'postId', b->>'personId', (h->>'occurredAt')::timestamptz DESC "
    "ON CONFLICT (post_id, person_id) DO UPDATE SET readiness = excluded.readiness, "
    "emergency_cover = excluded.emergency_cover, assessed_on = excluded.assessed_on, "
    "occurred_at = excluded.occurred_at, event_id = excluded.event_id "
    "WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id)";

static const char json_paths_sql[] =
    "INSERT INTO wire_json_paths AS t SELECT DISTINCT ON (b->>'postId', b->>'personId') "
    "b->>'postId', b->>'personId', b->>'readiness', coalesce((b->>'emergencyCover')::boolean, "
    "false), (b->>'assessedOn')::date, (h->>'occurredAt')::timestamptz, h->>'eventId' "
    "FROM jsonb_array_elements($1::jsonb) x, LATERAL (SELECT x->'event'->'successorNominated' AS "
    "b, x->'event'->'header' AS h) f WHERE b IS NOT NULL "
    "ORDER BY b->>'postId', b->>'personId', (h->>'occurredAt')::timestamptz DESC "
    "ON CONFLICT (post_id, person_id) DO UPDATE SET readiness = excluded.readiness, "
    "emergency_cover = excluded.emergency_cover, assessed_on = excluded.assessed_on, "
    "occurred_at = excluded.occurred_at, event_id = excluded.event_id "
    "WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id)";

/* ---- arrays: the same upsert over unnest() of seven parameters ---- */

#define ARRAYS_SQL(table)                                                                          \
    "INSERT INTO " table " AS t SELECT DISTINCT ON (u.post_id, u.person_id) * FROM "               \
    "unnest($1::text[], $2::text[], $3::text[], $4::boolean[], $5::date[], $6::timestamptz[], "    \
    "$7::text[]) AS u(post_id, person_id, readiness, emergency_cover, assessed_on, occurred_at, "  \
    "event_id) ORDER BY u.post_id, u.person_id, u.occurred_at DESC "                               \
    "ON CONFLICT (post_id, person_id) DO UPDATE SET readiness = excluded.readiness, "              \
    "emergency_cover = excluded.emergency_cover, assessed_on = excluded.assessed_on, "             \
    "occurred_at = excluded.occurred_at, event_id = excluded.event_id "                            \
    "WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id)"

static const char *const readiness_names[] = {"", "READINESS_READY_NOW",
                                              "READINESS_READY_1_2_YEARS"};

/* A text array literal element: our strings need no escaping but quotes. */
static void text_element(buf_t *b, const char *s, int first)
{
    put_str(b, first ? "{\"" : ",\"");
    put_str(b, s);
    put_str(b, "\"");
}

static void build_text_arrays(const event_t *e, size_t n, buf_t cols[7])
{
    for (int c = 0; c < 7; c++)
        cols[c].len = 0;
    for (size_t i = 0; i < n; i++) {
        char date[11], instant[32];
        format_date(e[i].assessed_days, date);
        format_instant(e[i].occurred_micros, instant);
        text_element(&cols[0], e[i].post_id, i == 0);
        text_element(&cols[1], e[i].person_id, i == 0);
        text_element(&cols[2], readiness_names[e[i].readiness], i == 0);
        text_element(&cols[3], e[i].emergency ? "t" : "f", i == 0);
        text_element(&cols[4], date, i == 0);
        text_element(&cols[5], instant, i == 0);
        text_element(&cols[6], e[i].event_id, i == 0);
    }
    for (int c = 0; c < 7; c++)
        put_str(&cols[c], "}");
}

/* The header of a one-dimensional binary array of n elements of type oid. */
static void binary_header(buf_t *b, uint32_t oid, size_t n)
{
    b->len = 0;
    put_u32(b, 1);           /* dimensions */
    put_u32(b, 0);           /* no NULLs */
    put_u32(b, oid);         /* element type */
    put_u32(b, (uint32_t)n); /* length */
    put_u32(b, 1);           /* lower bound */
}

static void binary_text(buf_t *b, const char *s)
{
    put_u32(b, (uint32_t)strlen(s));
    put_str(b, s);
}

/* Days and microseconds from 2000-01-01, PostgreSQL's binary epoch. */
#define PG_EPOCH_DAYS 10957

static void build_binary_arrays(const event_t *e, size_t n, buf_t cols[7])
{
    static const uint32_t oids[7] = {25, 25, 25, 16, 1082, 1184, 25};
    for (int c = 0; c < 7; c++)
        binary_header(&cols[c], oids[c], n);
    for (size_t i = 0; i < n; i++) {
        binary_text(&cols[0], e[i].post_id);
        binary_text(&cols[1], e[i].person_id);
        binary_text(&cols[2], readiness_names[e[i].readiness]);
        put_u32(&cols[3], 1);
        uint8_t flag = (uint8_t)e[i].emergency;
        put(&cols[3], &flag, 1);
        put_u32(&cols[4], 4);
        put_u32(&cols[4], (uint32_t)(e[i].assessed_days - PG_EPOCH_DAYS));
        int64_t micros = e[i].occurred_micros - (int64_t)PG_EPOCH_DAYS * 86400 * 1000000;
        put_u32(&cols[5], 8);
        put_u32(&cols[5], (uint32_t)((uint64_t)micros >> 32));
        put_u32(&cols[5], (uint32_t)micros);
        binary_text(&cols[6], e[i].event_id);
    }
}

/* ---- copy ---- */

static void build_copy(const event_t *e, size_t n, buf_t *out)
{
    out->len = 0;
    for (size_t i = 0; i < n; i++) {
        char date[11], instant[32], line[256];
        format_date(e[i].assessed_days, date);
        format_instant(e[i].occurred_micros, instant);
        int k = snprintf(line, sizeof line, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e[i].post_id,
                         e[i].person_id, readiness_names[e[i].readiness],
                         e[i].emergency ? "t" : "f", date, instant, e[i].event_id);
        put(out, line, (size_t)k);
    }
}

static const char copy_upsert_sql[] =
    "INSERT INTO wire_copy AS t SELECT DISTINCT ON (u.post_id, u.person_id) * FROM wire_staging u "
    "ORDER BY u.post_id, u.person_id, u.occurred_at DESC "
    "ON CONFLICT (post_id, person_id) DO UPDATE SET readiness = excluded.readiness, "
    "emergency_cover = excluded.emergency_cover, assessed_on = excluded.assessed_on, "
    "occurred_at = excluded.occurred_at, event_id = excluded.event_id "
    "WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id)";

static const char row_upsert_sql[] =
    "INSERT INTO wire_pipeline_rows AS t VALUES ($1, $2, $3, $4::boolean, $5::date, "
    "$6::timestamptz, $7) ON CONFLICT (post_id, person_id) DO UPDATE SET readiness = "
    "excluded.readiness, emergency_cover = excluded.emergency_cover, assessed_on = "
    "excluded.assessed_on, occurred_at = excluded.occurred_at, event_id = excluded.event_id "
    "WHERE (t.occurred_at, t.event_id) < (excluded.occurred_at, excluded.event_id)";

/* ---- one method ---- */

typedef enum {
    M_JSON_FUNCTIONS,
    M_JSON_PATHS,
    M_TEXT_ARRAYS,
    M_BINARY_ARRAYS,
    M_COPY,
    M_PIPELINE_ROWS
} method_t;
static const char *const method_names[] = {"json_functions", "json_paths", "text_arrays",
                                           "binary_arrays",  "copy",       "pipeline_rows"};

static void run_batch(PGconn *conn, method_t m, const event_t *e, size_t n, double *client)
{
    static buf_t json, cols[7], copy;
    double c0 = cpu_seconds();
    const char *values[7];
    int lengths[7], formats[7] = {1, 1, 1, 1, 1, 1, 1};
    switch (m) {
    case M_JSON_FUNCTIONS:
    case M_JSON_PATHS:
        build_json(e, n, &json);
        break;
    case M_TEXT_ARRAYS:
        build_text_arrays(e, n, cols);
        break;
    case M_BINARY_ARRAYS:
        build_binary_arrays(e, n, cols);
        break;
    case M_COPY:
        build_copy(e, n, &copy);
        break;
    case M_PIPELINE_ROWS:
        break;
    }
    *client += cpu_seconds() - c0;
    exec_ok(conn, "BEGIN");
    if (m == M_JSON_FUNCTIONS || m == M_JSON_PATHS) {
        values[0] = json.data;
        check(conn,
              PQexecParams(conn, m == M_JSON_FUNCTIONS ? json_functions_sql : json_paths_sql, 1,
                           NULL, values, NULL, NULL, 0),
              method_names[m]);
    } else if (m == M_TEXT_ARRAYS || m == M_BINARY_ARRAYS) {
        for (int c = 0; c < 7; c++) {
            values[c] = cols[c].data;
            lengths[c] = (int)cols[c].len;
        }
        check(conn,
              PQexecParams(conn,
                           m == M_TEXT_ARRAYS ? ARRAYS_SQL("wire_text_arrays")
                                              : ARRAYS_SQL("wire_binary_arrays"),
                           7, NULL, values, lengths, m == M_BINARY_ARRAYS ? formats : NULL, 0),
              method_names[m]);
    } else if (m == M_COPY) {
        PGresult *start = PQexec(conn, "COPY wire_staging FROM STDIN");
        if (PQresultStatus(start) != PGRES_COPY_IN)
            die("copy start", conn);
        PQclear(start);
        if (PQputCopyData(conn, copy.data, (int)copy.len) != 1 || PQputCopyEnd(conn, NULL) != 1)
            die("copy", conn);
        check(conn, PQgetResult(conn), "copy end");
        check(conn, PQexec(conn, copy_upsert_sql), "copy upsert");
    } else {
        c0 = cpu_seconds();
        if (!PQenterPipelineMode(conn))
            die("pipeline", conn);
        for (size_t i = 0; i < n; i++) {
            char date[11], instant[32];
            format_date(e[i].assessed_days, date);
            format_instant(e[i].occurred_micros, instant);
            const char *row[7] = {e[i].post_id,
                                  e[i].person_id,
                                  readiness_names[e[i].readiness],
                                  e[i].emergency ? "t" : "f",
                                  date,
                                  instant,
                                  e[i].event_id};
            if (!PQsendQueryPrepared(conn, "row_upsert", 7, row, NULL, NULL, 0))
                die("send", conn);
        }
        PQpipelineSync(conn);
        *client += cpu_seconds() - c0;
        for (size_t i = 0; i < n; i++) {
            check(conn, PQgetResult(conn), "row");
            PGresult *end = PQgetResult(conn); /* NULL after each query's result */
            if (end)
                die("pipeline order", conn);
        }
        PGresult *sync = PQgetResult(conn);
        if (PQresultStatus(sync) != PGRES_PIPELINE_SYNC)
            die("sync", conn);
        PQclear(sync);
        PQexitPipelineMode(conn);
    }
    exec_ok(conn, "COMMIT");
}

int main(int argc, char **argv)
{
    size_t batches = argc > 1 ? strtoul(argv[1], NULL, 10) : 40;
    size_t per_batch = argc > 2 ? strtoul(argv[2], NULL, 10) : 500;
    const char *conninfo = getenv("SUCCESSION_DB");
    PGconn *conn = PQconnectdb(conninfo ? conninfo : "");
    if (PQstatus(conn) != CONNECTION_OK)
        die("connect", conn);
    exec_ok(conn, "SET client_min_messages = warning");
    exec_ok(conn,
            "CREATE FUNCTION pg_temp.event_body(e jsonb) RETURNS jsonb LANGUAGE sql "
            "IMMUTABLE AS $$ SELECT value FROM jsonb_each(e) WHERE key <> 'header' LIMIT 1 $$");
    exec_ok(conn, "CREATE FUNCTION pg_temp.event_kind(e jsonb) RETURNS text LANGUAGE sql "
                  "IMMUTABLE AS $$ SELECT key FROM jsonb_each(e) WHERE key <> 'header' LIMIT 1 $$");
    for (int m = 0; m < 6; m++) {
        char sql[512];
        snprintf(sql, sizeof sql,
                 "DROP TABLE IF EXISTS wire_%s; CREATE TABLE wire_%s (post_id text COLLATE \"C\", "
                 "person_id text COLLATE \"C\", readiness text, emergency_cover boolean, "
                 "assessed_on date, occurred_at timestamptz, event_id text COLLATE \"C\", "
                 "PRIMARY KEY (post_id, person_id))",
                 method_names[m], method_names[m]);
        exec_ok(conn, sql);
    }
    exec_ok(conn, "CREATE TEMP TABLE wire_staging (post_id text COLLATE \"C\", person_id text "
                  "COLLATE \"C\", readiness text, emergency_cover boolean, assessed_on date, "
                  "occurred_at timestamptz, event_id text COLLATE \"C\") ON COMMIT DELETE ROWS");
    check(conn, PQprepare(conn, "row_upsert", row_upsert_sql, 7, NULL), "prepare");
    event_t *events = malloc(per_batch * sizeof *events);
    if (!events)
        die("malloc", NULL);
    for (int m = 0; m < 6; m++) {
        double client = 0, w0 = wall_seconds();
        for (size_t b = 0; b < batches; b++) {
            make_events(events, per_batch, b);
            run_batch(conn, (method_t)m, events, per_batch, &client);
        }
        double wall = wall_seconds() - w0, count = (double)(batches * per_batch);
        printf("{\"method\":\"%s\",\"events\":%.0f,\"batch\":%zu,\"client_us_per_event\":%.2f,"
               "\"total_us_per_event\":%.2f,\"events_per_second\":%.0f}\n",
               method_names[m], count, per_batch, client * 1e6 / count, wall * 1e6 / count,
               count / wall);
        fflush(stdout);
    }
    for (int m = 0; m < 6; m++) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP TABLE wire_%s", method_names[m]);
        exec_ok(conn, sql);
    }
    free(events);
    PQfinish(conn);
    return 0;
}
