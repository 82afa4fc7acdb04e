/* evaluate: facts from PostgreSQL, judgement by rules.c, outcome to the outbox. */
#include "evaluate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "rules.h"
#include "status.h"
#include "succession/v1/outputs.pb-c.h"

/* The fact sets of an evaluation, fetched in one round trip, in this order.
 * Each is a function of deploy/migrations/007 ordered by post (or person)
 * id; $1 is the posts, $2 today. */
enum { Q_SETTINGS, Q_POSTS, Q_APPOINTMENTS, Q_NOTICES, Q_VACANCIES, Q_NOMINATIONS, Q_PERSONS, Q_N };
static const struct {
    const char *name, *sql;
    int nparams;
} fact_queries[Q_N] = {
    {"evaluation_settings", "SELECT name, value FROM setting", 0},
    {"evaluation_posts", "SELECT * FROM evaluation_posts($1::text[])", 1},
    {"evaluation_appointments", "SELECT * FROM evaluation_appointments($1::text[], $2::date)", 2},
    {"evaluation_notices", "SELECT * FROM evaluation_notices($1::text[])", 1},
    {"evaluation_vacancies", "SELECT * FROM evaluation_vacancies($1::text[])", 1},
    {"evaluation_nominations", "SELECT * FROM evaluation_nominations($1::text[])", 1},
    {"evaluation_persons", "SELECT * FROM evaluation_persons($1::text[], $2::date)", 2},
};
/* Columns of each set. */
enum {
    P_POST_ID,
    P_ODS_CODE,
    P_ORG_NAME,
    P_REGION,
    P_ROLE,
    P_DESIGNATED,
    P_EVALUATED,
    P_AT_RISK,
    P_SEVERITY,
    P_SEQUENCE,
    P_PICTURE
};
enum { A_POST_ID, A_ID, A_PERSON, A_SUBSTANTIVE, A_START, A_PLANNED_END, A_ACTUAL_END };
enum { T_POST_ID, T_PERSON, T_LEAVING };
enum { V_POST_ID, V_VACANT_FROM };
enum { N_POST_ID, N_PERSON_ID, N_READINESS, N_EMERGENCY, N_ASSESSED };
enum { W_PERSON_ID, W_HIGH_RISK, W_FP_FAILED, W_LEFT_NHS_ON, W_LATEST_START };

/* Growing text arrays for record_evaluations(). */
typedef struct pgarray {
    char *buf;
    size_t len, cap;
} pgarray_t;

typedef struct record {
    pgarray_t post, at_risk, severity, sequence, picture, status, alert;
    size_t count;
} record_t;

static bool is_true(const PGresult *r, int row, int col)
{
    return !PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't';
}

static date_days_t date_or_none(const PGresult *r, int row, int col)
{
    date_days_t d;
    if (PQgetisnull(r, row, col) || datetime_parse_date(PQgetvalue(r, row, col), &d))
        return DATE_NONE;
    return d;
}

static void read_settings(const PGresult *res, rules_settings_t *s)
{
    rules_settings_default(s);
    for (int i = 0; i < PQntuples(res); i++) {
        const char *name = PQgetvalue(res, i, 0);
        int v = atoi(PQgetvalue(res, i, 1));
        if (strcmp(name, "min_ready_now") == 0)
            s->min_ready_now = v;
        else if (strcmp(name, "min_pipeline") == 0)
            s->min_pipeline = v;
        else if (strcmp(name, "assessment_max_age") == 0)
            s->assessment_max_age = v;
        else if (strcmp(name, "critical_horizon") == 0)
            s->critical_horizon = v;
        else if (strcmp(name, "notice_horizon") == 0)
            s->notice_horizon = v;
    }
}

static int append_int(pgarray_t *a, long v)
{
    return db_array_append_long(&a->buf, &a->len, &a->cap, v);
}

static int append_text(pgarray_t *a, const char *text)
{
    return db_array_append(&a->buf, &a->len, &a->cap, text);
}

/* ---- the facts of one post ---- */

/* A cursor over a fact set ordered by post id: rows [first, end) are the
 * current post's. */
typedef struct cursor {
    const PGresult *res;
    int next, first, end;
} cursor_t;

/* Moves c to the rows of post_id (which must not go backwards). */
static void cursor_seek(cursor_t *c, const char *post_id)
{
    int n = PQntuples(c->res);
    while (c->next < n && strcmp(PQgetvalue(c->res, c->next, 0), post_id) < 0)
        c->next++;
    c->first = c->next;
    while (c->next < n && strcmp(PQgetvalue(c->res, c->next, 0), post_id) == 0)
        c->next++;
    c->end = c->next;
}

/* The row of person_id in the persons set (ordered by id), or -1. */
static int find_person(const PGresult *persons, const char *person_id)
{
    int low = 0, high = PQntuples(persons);
    while (low < high) {
        int mid = low + (high - low) / 2,
            c = strcmp(PQgetvalue(persons, mid, W_PERSON_ID), person_id);
        if (c == 0)
            return mid;
        if (c < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return -1;
}

/* Scratch space for one post's facts, sized for the largest post. */
typedef struct scratch {
    rules_appointment_t *appointments;
    rules_notice_t *notices;
    date_days_t *vacancies;
    rules_nomination_t *nominations;
} scratch_t;

typedef struct judge_ctx {
    const rules_settings_t *settings;
    date_days_t today;
    Google__Protobuf__Timestamp evaluated_at;
    const PGresult *sets[Q_N];
    cursor_t appointments, notices, vacancies, nominations;
    scratch_t scratch;
    record_t *rec;
    evaluate_stats_t *stats;
    /* When set, every post is judged as if designated and its picture handed
     * to each instead of recorded (evaluate_candidates). */
    evaluate_each_fn each;
    void *each_arg;
} judge_ctx_t;

/* Gathers the facts of the post at row of the posts set into p, deciding
 * the holders, the leaving date and each nominee's standing (rules.h). */
static void gather_post(judge_ctx_t *ctx, int row, rules_post_t *p)
{
    const PGresult *posts = ctx->sets[Q_POSTS], *persons = ctx->sets[Q_PERSONS];
    const char *post_id = PQgetvalue(posts, row, P_POST_ID);
    scratch_t *s = &ctx->scratch;
    cursor_t *c = &ctx->appointments;
    cursor_seek(c, post_id);
    size_t na = 0;
    for (int i = c->first; i < c->end; i++)
        s->appointments[na++] = (rules_appointment_t){PQgetvalue(c->res, i, A_ID),
                                                      PQgetvalue(c->res, i, A_PERSON),
                                                      is_true(c->res, i, A_SUBSTANTIVE),
                                                      date_or_none(c->res, i, A_START),
                                                      date_or_none(c->res, i, A_PLANNED_END),
                                                      date_or_none(c->res, i, A_ACTUAL_END)};
    c = &ctx->notices;
    cursor_seek(c, post_id);
    size_t nt = 0;
    for (int i = c->first; i < c->end; i++)
        s->notices[nt++] =
            (rules_notice_t){PQgetvalue(c->res, i, T_PERSON), date_or_none(c->res, i, T_LEAVING)};
    c = &ctx->vacancies;
    cursor_seek(c, post_id);
    size_t nv = 0;
    for (int i = c->first; i < c->end; i++)
        s->vacancies[nv++] = date_or_none(c->res, i, V_VACANT_FROM);

    rules_holders_t h;
    rules_holders(s->appointments, na, ctx->today, &h);
    memset(p, 0, sizeof *p);
    p->current_appointments = h.current;
    p->current_substantive = h.substantive;
    p->incumbent_person_id = h.incumbent ? h.incumbent->person_id : NULL;
    p->leaving_date = rules_leaving_date(h.incumbent, s->notices, nt, s->vacancies, nv, ctx->today);
    int who = p->incumbent_person_id ? find_person(persons, p->incumbent_person_id) : -1;
    p->incumbent_high_risk_of_loss = who >= 0 && is_true(persons, who, W_HIGH_RISK);

    c = &ctx->nominations;
    cursor_seek(c, post_id);
    p->nominations = s->nominations;
    for (int i = c->first; i < c->end; i++) {
        rules_nomination_t *n = &s->nominations[p->nomination_count++];
        memset(n, 0, sizeof *n);
        n->person_id = PQgetvalue(c->res, i, N_PERSON_ID);
        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(
            &succession__v1__readiness__descriptor, PQgetvalue(c->res, i, N_READINESS));
        n->readiness = v ? (Succession__V1__Readiness)v->value
                         : SUCCESSION__V1__READINESS__READINESS_UNSPECIFIED;
        n->assessed_on = date_or_none(c->res, i, N_ASSESSED);
        n->emergency_cover = is_true(c->res, i, N_EMERGENCY);
        int k = find_person(persons, n->person_id);
        n->left_nhs = k >= 0 && rules_left_nhs(date_or_none(persons, k, W_LEFT_NHS_ON),
                                               date_or_none(persons, k, W_LATEST_START));
        n->fit_and_proper_failed = k >= 0 && is_true(persons, k, W_FP_FAILED);
    }
}

/* ---- judging and recording ---- */

/* The post's reference data from its row of the posts set (borrowed). */
static void fill_reference(Succession__V1__PostStatus *st, const PGresult *posts, int row)
{
    st->post_id = PQgetvalue(posts, row, P_POST_ID);
    st->ods_code = PQgetvalue(posts, row, P_ODS_CODE);
    st->organisation_name = PQgetvalue(posts, row, P_ORG_NAME);
    st->region = PQgetvalue(posts, row, P_REGION);
    st->role = PQgetvalue(posts, row, P_ROLE);
    st->designated = is_true(posts, row, P_DESIGNATED);
}

/* Appends one judged post to the record; alert_hex may be NULL. */
static int record_append(record_t *rec, const char *post_id, const rules_result_t *r, int sequence,
                         const char *picture, const char *status, const char *alert_hex)
{
    if (append_text(&rec->post, post_id) || append_text(&rec->at_risk, r->at_risk ? "t" : "f") ||
        append_int(&rec->severity, r->severity) || append_int(&rec->sequence, sequence) ||
        append_text(&rec->picture, picture) || append_text(&rec->status, status) ||
        append_text(&rec->alert, alert_hex))
        return -1;
    rec->count++;
    return 0;
}

/* Builds and packs the alert of a transition. */
static char *alert_hex(const Succession__V1__PostStatus *st, Succession__V1__AlertState state,
                       Succession__V1__Severity previous, int sequence)
{
    char alert_id[256];
    Succession__V1__SuccessionAlert a;
    status_alert(&a, st, state, previous, sequence, alert_id, sizeof alert_id);
    return db_pack_hex(&a.base);
}

/* Judges the post at row of the posts set and records it when its outcome
 * changed. Returns 0, or -1 when out of memory. */
static int judge_post(judge_ctx_t *ctx, int row, const char *caused_by)
{
    const PGresult *posts = ctx->sets[Q_POSTS];
    const bool designated = ctx->each || is_true(posts, row, P_DESIGNATED);
    if (!designated && !is_true(posts, row, P_EVALUATED))
        return 0;
    rules_post_t p;
    gather_post(ctx, row, &p);
    rules_result_t r;
    rules_evaluate(&p, ctx->settings, ctx->today, &r);
    if (!designated) { /* no longer watched: it resolves */
        r.at_risk = false;
        r.severity = SUCCESSION__V1__SEVERITY__SEVERITY_NONE;
        r.reason_count = 0;
    }
    ctx->stats->posts++;

    size_t room = p.nomination_count < STATUS_MAX_LISTED_SUCCESSORS ? p.nomination_count
                                                                    : STATUS_MAX_LISTED_SUCCESSORS;
    room = room ? room : 1;
    status_successors_t listed = {calloc(room, sizeof *listed.msgs),
                                  calloc(room, sizeof *listed.ptrs),
                                  calloc(room, sizeof *listed.dates)};
    char *picture = NULL, *status = NULL, *alert = NULL;
    int rc = -1;
    if (!listed.msgs || !listed.ptrs || !listed.dates)
        goto done;
    Succession__V1__PostStatus st = SUCCESSION__V1__POST_STATUS__INIT;
    Succession__V1__Thresholds th;
    char leaving[DATE_TEXT_SIZE];
    fill_reference(&st, posts, row);
    status_fill_picture(&st, &p, &r, &th, ctx->settings, listed, leaving);
    if (ctx->each) {
        rc = ctx->each(&st, ctx->each_arg);
        goto done;
    }

    picture = db_pack_hex(&st.base);
    if (!picture)
        goto done;
    const char *prev_picture =
        PQgetisnull(posts, row, P_PICTURE) ? NULL : PQgetvalue(posts, row, P_PICTURE);
    const bool was_at_risk = is_true(posts, row, P_AT_RISK);
    const Succession__V1__Severity was = atoi(PQgetvalue(posts, row, P_SEVERITY));
    const Succession__V1__AlertState transition =
        rules_alert_transition(was_at_risk, was, r.at_risk, r.severity);
    rc = 0;
    if (!transition && prev_picture && db_bytea_is_hex(prev_picture, picture))
        goto done; /* nothing changed */
    int sequence = atoi(PQgetvalue(posts, row, P_SEQUENCE)) + (transition ? 1 : 0);
    st.caused_by_event_id = caused_by ? (char *)caused_by : "";
    st.evaluated_at = &ctx->evaluated_at;
    status = db_pack_hex(&st.base);
    alert = transition ? alert_hex(&st, transition, was, sequence) : NULL;
    rc = (!status || (transition && !alert)) ? -1 : 0;
    if (rc == 0)
        rc = record_append(ctx->rec, st.post_id, &r, sequence, picture, status, alert);
    ctx->stats->alerts += transition ? 1 : 0;
    ctx->stats->statuses++;
done:
    free(listed.msgs);
    free(listed.ptrs);
    free(listed.dates);
    free(picture);
    free(status);
    free(alert);
    return rc;
}

static void record_free(record_t *rec)
{
    pgarray_t *all[] = {&rec->post,    &rec->at_risk, &rec->severity, &rec->sequence,
                        &rec->picture, &rec->status,  &rec->alert};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        free(all[i]->buf);
}

/* Writes the record with record_evaluations(). */
static db_status_t record_write(db_t *db, record_t *rec, const judge_ctx_t *ctx, char *errstr,
                                size_t errstr_size)
{
    pgarray_t *all[] = {&rec->post,    &rec->at_risk, &rec->severity, &rec->sequence,
                        &rec->picture, &rec->status,  &rec->alert};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        if (db_array_finish(&all[i]->buf, &all[i]->len, &all[i]->cap)) {
            snprintf(errstr, errstr_size, "out of memory");
            return DB_FAULT;
        }
    }
    char when[INSTANT_TEXT_SIZE];
    datetime_format_instant(ctx->evaluated_at.seconds, ctx->evaluated_at.nanos, when);
    const char *params[] = {
        rec->post.buf,    rec->at_risk.buf, rec->severity.buf, rec->sequence.buf,
        rec->picture.buf, rec->status.buf,  rec->alert.buf,    when};
    return db_exec(db,
                   "SELECT record_evaluations($1::text[], $2::boolean[], $3::integer[], "
                   "$4::integer[], $5::text[], $6::text[], $7::text[], $8::timestamptz)",
                   8, params, NULL, errstr, errstr_size);
}

/* Room in ctx->scratch for the largest post of the sets. Returns 0 or -1. */
static int make_scratch(judge_ctx_t *ctx)
{
    size_t n[4] = {
        (size_t)PQntuples(ctx->sets[Q_APPOINTMENTS]), (size_t)PQntuples(ctx->sets[Q_NOTICES]),
        (size_t)PQntuples(ctx->sets[Q_VACANCIES]), (size_t)PQntuples(ctx->sets[Q_NOMINATIONS])};
    scratch_t *s = &ctx->scratch;
    s->appointments = calloc(n[0] ? n[0] : 1, sizeof *s->appointments);
    s->notices = calloc(n[1] ? n[1] : 1, sizeof *s->notices);
    s->vacancies = calloc(n[2] ? n[2] : 1, sizeof *s->vacancies);
    s->nominations = calloc(n[3] ? n[3] : 1, sizeof *s->nominations);
    return s->appointments && s->notices && s->vacancies && s->nominations ? 0 : -1;
}

static void free_scratch(scratch_t *s)
{
    free(s->appointments);
    free(s->notices);
    free(s->vacancies);
    free(s->nominations);
}

/* Judges every post of the sets; caused_by[i] (when caused_by is not NULL)
 * names the event behind post_ids[i], both in byte order of post id. */
static int judge_all(judge_ctx_t *ctx, const char *const *post_ids, const char *const *caused_by,
                     size_t count)
{
    const PGresult *posts = ctx->sets[Q_POSTS];
    ctx->appointments = (cursor_t){.res = ctx->sets[Q_APPOINTMENTS]};
    ctx->notices = (cursor_t){.res = ctx->sets[Q_NOTICES]};
    ctx->vacancies = (cursor_t){.res = ctx->sets[Q_VACANCIES]};
    ctx->nominations = (cursor_t){.res = ctx->sets[Q_NOMINATIONS]};
    size_t k = 0;
    for (int row = 0; row < PQntuples(posts); row++) {
        const char *post_id = PQgetvalue(posts, row, P_POST_ID);
        while (caused_by && k < count && strcmp(post_ids[k], post_id) < 0)
            k++;
        const char *cause =
            caused_by && k < count && strcmp(post_ids[k], post_id) == 0 ? caused_by[k] : NULL;
        if (judge_post(ctx, row, cause))
            return -1;
    }
    return 0;
}

/* Fetches the facts of post_ids (byte order) in one round trip and judges
 * each: recorded, or handed to each when it is not NULL. */
static db_status_t judge_posts(db_t *db, const char *const *post_ids, const char *const *caused_by,
                               size_t count, evaluate_stats_t *stats, evaluate_each_fn each,
                               void *each_arg, char *errstr, size_t errstr_size)
{
    if (count == 0)
        return DB_OK;
    rules_settings_t settings;
    record_t rec = {0};
    PGresult *sets[Q_N] = {0};
    pgarray_t ids = {0};
    judge_ctx_t ctx = {.settings = &settings,
                       .today = datetime_today(),
                       .rec = &rec,
                       .stats = stats,
                       .each = each,
                       .each_arg = each_arg};
    db_status_t st = DB_FAULT;
    for (size_t i = 0; i < count; i++)
        if (append_text(&ids, post_ids[i]))
            goto oom;
    if (db_array_finish(&ids.buf, &ids.len, &ids.cap))
        goto oom;
    google__protobuf__timestamp__init(&ctx.evaluated_at);
    datetime_now(&ctx.evaluated_at.seconds, &ctx.evaluated_at.nanos);
    char today[DATE_TEXT_SIZE];
    datetime_format_date(ctx.today, today);
    const char *params[] = {ids.buf, today};
    db_query_t queries[Q_N];
    for (int q = 0; q < Q_N; q++)
        queries[q] = (db_query_t){fact_queries[q].sql, fact_queries[q].nparams, params,
                                  fact_queries[q].name};
    st = db_exec_pipeline(db, queries, Q_N, sets, errstr, errstr_size);
    if (st != DB_OK)
        goto done;
    for (int q = 0; q < Q_N; q++)
        ctx.sets[q] = sets[q];
    read_settings(sets[Q_SETTINGS], &settings);
    if (make_scratch(&ctx) || judge_all(&ctx, post_ids, caused_by, count))
        goto oom;
    if (rec.count > 0)
        st = record_write(db, &rec, &ctx, errstr, errstr_size);
    goto done;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    st = DB_FAULT;
done:
    for (int q = 0; q < Q_N; q++)
        PQclear(sets[q]);
    free_scratch(&ctx.scratch);
    free(ids.buf);
    record_free(&rec);
    return st;
}

db_status_t evaluate_posts(db_t *db, const char *const *post_ids, const char *const *caused_by,
                           size_t count, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
{
    return judge_posts(db, post_ids, caused_by, count, stats, NULL, NULL, errstr, errstr_size);
}

/* Judges the posts the query selects (their ids, in byte order), after
 * locking them when lock; recorded, or handed to each when not NULL. */
static db_status_t judge_selected(db_t *db, const char *sql, bool lock, evaluate_stats_t *stats,
                                  evaluate_each_fn each, void *arg, char *errstr,
                                  size_t errstr_size)
{
    PGresult *res;
    db_status_t st = db_exec(db, sql, 0, NULL, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    int n = PQntuples(res);
    const char **ids = calloc(n ? (size_t)n : 1, sizeof *ids);
    pgarray_t list = {0};
    for (int i = 0; ids && i < n; i++) {
        ids[i] = PQgetvalue(res, i, 0);
        if (lock && append_text(&list, ids[i]))
            break;
    }
    if (!ids || (lock && db_array_finish(&list.buf, &list.len, &list.cap))) {
        snprintf(errstr, errstr_size, "out of memory");
        st = DB_FAULT;
    }
    const char *params[] = {list.buf};
    if (st == DB_OK && lock)
        st = db_exec(db, "SELECT lock_posts($1::text[])", 1, params, NULL, errstr, errstr_size);
    if (st == DB_OK)
        st = judge_posts(db, ids, NULL, (size_t)n, stats, each, arg, errstr, errstr_size);
    free(list.buf);
    free(ids);
    PQclear(res);
    return st;
}

db_status_t evaluate_candidates(db_t *db, evaluate_each_fn each, void *arg, char *errstr,
                                size_t errstr_size)
{
    evaluate_stats_t stats = {0};
    return judge_selected(db,
                          "SELECT post_id FROM post WHERE NOT designated "
                          "ORDER BY post_id COLLATE \"C\"",
                          false, &stats, each, arg, errstr, errstr_size);
}

/* One pass: take the dirty posts (locked) and evaluate them; stats->taken
 * is 0 when there was nothing to take. */
static db_status_t pass_tx(db_t *db, void *arg, char *errstr, size_t errstr_size)
{
    evaluate_stats_t *stats = arg;
    PGresult *res;
    db_status_t st = db_exec(db, "SELECT * FROM take_dirty()", 0, NULL, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    int n = PQntuples(res), k = 0;
    stats->taken = n;
    const char **ids = calloc(n ? (size_t)n : 1, sizeof *ids);
    const char **causes = calloc(n ? (size_t)n : 1, sizeof *causes);
    if (!ids || !causes) {
        snprintf(errstr, errstr_size, "out of memory");
        st = DB_FAULT;
    }
    for (int i = 0; st == DB_OK && i < n; i++) {
        stats->lock_wait_ms = atol(PQgetvalue(res, i, 2));
        if (PQgetisnull(res, i, 0))
            continue; /* dirt taken, nothing to evaluate */
        ids[k] = PQgetvalue(res, i, 0);
        causes[k++] = PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1);
    }
    if (st == DB_OK)
        st = evaluate_posts(db, ids, causes, (size_t)k, stats, errstr, errstr_size);
    free(ids);
    free(causes);
    PQclear(res);
    return st;
}

db_status_t evaluate_dirty(db_t *db, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
{
    evaluate_stats_t pass = {0};
    db_status_t st = db_transaction(db, pass_tx, &pass, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    stats->posts += pass.posts;
    stats->alerts += pass.alerts;
    stats->statuses += pass.statuses;
    stats->lock_wait_ms += pass.lock_wait_ms;
    stats->passes++;
    stats->taken = pass.taken;
    return DB_OK;
}

db_status_t evaluate_all(db_t *db, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
{
    return judge_selected(db,
                          "SELECT p.post_id FROM post p LEFT JOIN post_state s USING (post_id) "
                          "WHERE p.designated OR s.post_id IS NOT NULL "
                          "ORDER BY p.post_id COLLATE \"C\"",
                          true, stats, NULL, NULL, errstr, errstr_size);
}
