/* evaluate: facts from PostgreSQL, judgement by rules.c, outcome to the outbox. */
#include "evaluate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "rules.h"
#include "succession/v1/outputs.pb-c.h"

/* Columns of post_facts(). */
enum {
    F_POST_ID,
    F_ODS_CODE,
    F_ORG_NAME,
    F_REGION,
    F_ROLE,
    F_DESIGNATED,
    F_CURRENT,
    F_SUBSTANTIVE,
    F_INCUMBENT,
    F_LEAVING,
    F_HIGH_RISK,
    F_EVALUATED,
    F_AT_RISK,
    F_SEVERITY,
    F_SEQUENCE,
    F_PICTURE
};
/* Columns of post_nominations(). */
enum { N_POST_ID, N_PERSON_ID, N_READINESS, N_EMERGENCY, N_ASSESSED, N_LEFT_NHS, N_FP_FAILED };

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

static const char *text_or_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : PQgetvalue(r, row, col);
}

static date_days_t date_or_none(const PGresult *r, int row, int col)
{
    date_days_t d;
    if (PQgetisnull(r, row, col) || datetime_parse_date(PQgetvalue(r, row, col), &d))
        return DATE_NONE;
    return d;
}

static db_status_t load_settings(db_t *db, rules_settings_t *s, char *errstr, size_t errstr_size)
{
    PGresult *res;
    rules_settings_default(s);
    db_status_t st =
        db_exec(db, "SELECT name, value FROM setting", 0, NULL, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
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
    PQclear(res);
    return DB_OK;
}

/* Packs msg into a new hex string (caller frees), NULL when out of memory. */
static char *pack_hex(const ProtobufCMessage *msg)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *bytes = malloc(n ? n : 1);
    char *hex = malloc(2 * n + 1);
    if (!bytes || !hex) {
        free(bytes);
        free(hex);
        return NULL;
    }
    protobuf_c_message_pack(msg, bytes);
    for (size_t i = 0; i < n; i++)
        sprintf(hex + 2 * i, "%02x", bytes[i]);
    hex[2 * n] = '\0';
    free(bytes);
    return hex;
}

static int append_int(pgarray_t *a, long v)
{
    char text[24];
    snprintf(text, sizeof text, "%ld", v);
    return db_array_append(&a->buf, &a->len, &a->cap, text);
}

static int append_text(pgarray_t *a, const char *text)
{
    return db_array_append(&a->buf, &a->len, &a->cap, text);
}

/* The nominations of one post, read from rows [first, last) of noms. */
static void read_nominations(const PGresult *noms, int first, int last, rules_nomination_t *out)
{
    for (int i = first; i < last; i++) {
        rules_nomination_t *n = &out[i - first];
        memset(n, 0, sizeof *n);
        n->person_id = PQgetvalue(noms, i, N_PERSON_ID);
        const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value_by_name(
            &succession__v1__readiness__descriptor, PQgetvalue(noms, i, N_READINESS));
        n->readiness = v ? (Succession__V1__Readiness)v->value
                         : SUCCESSION__V1__READINESS__READINESS_UNSPECIFIED;
        n->assessed_on = date_or_none(noms, i, N_ASSESSED);
        n->emergency_cover = is_true(noms, i, N_EMERGENCY);
        n->left_nhs = is_true(noms, i, N_LEFT_NHS);
        n->fit_and_proper_failed = is_true(noms, i, N_FP_FAILED);
    }
}

typedef struct judge_ctx {
    const rules_settings_t *settings;
    date_days_t today;
    Google__Protobuf__Timestamp evaluated_at;
    record_t *rec;
    evaluate_stats_t *stats;
} judge_ctx_t;

/* Fills the parts of a PostStatus that describe the picture (everything but
 * evaluatedAt and causedByEventId). Strings are borrowed from facts. */
static void fill_status(Succession__V1__PostStatus *st, const PGresult *facts, int row,
                        const rules_post_t *p, const rules_result_t *r, char *leaving_text)
{
    st->post_id = PQgetvalue(facts, row, F_POST_ID);
    st->ods_code = PQgetvalue(facts, row, F_ODS_CODE);
    st->organisation_name = PQgetvalue(facts, row, F_ORG_NAME);
    st->region = PQgetvalue(facts, row, F_REGION);
    st->role = PQgetvalue(facts, row, F_ROLE);
    st->designated = is_true(facts, row, F_DESIGNATED);
    st->at_risk = r->at_risk;
    st->severity = r->severity;
    st->ready_now = r->ready_now;
    st->ready_soon = r->ready_soon;
    st->pipeline = r->ready_now + r->ready_soon;
    st->stale_nominations = r->stale_nominations;
    st->ineligible_nominations = r->ineligible_nominations;
    st->emergency_covers = r->emergency_covers;
    st->n_reasons = r->reason_count;
    st->reasons = (Succession__V1__Reason *)r->reasons;
    st->incumbent_person_id = p->incumbent_person_id ? (char *)p->incumbent_person_id : "";
    leaving_text[0] = '\0';
    if (p->incumbent_person_id && p->leaving_date != DATE_NONE)
        datetime_format_date(p->leaving_date, leaving_text);
    st->leaving_date = leaving_text;
    st->vacant = r->vacant;
    st->interim_only = r->interim_only;
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
    snprintf(alert_id, sizeof alert_id, "%s#%d", st->post_id, sequence);
    Succession__V1__SuccessionAlert a = SUCCESSION__V1__SUCCESSION_ALERT__INIT;
    a.alert_id = alert_id;
    a.post_id = st->post_id;
    a.sequence = sequence;
    a.state = state;
    a.severity = st->severity;
    a.previous_severity = previous;
    a.ready_now = st->ready_now;
    a.ready_soon = st->ready_soon;
    a.n_reasons = st->n_reasons;
    a.reasons = st->reasons;
    a.thresholds = st->thresholds;
    a.caused_by_event_id = st->caused_by_event_id;
    a.evaluated_at = st->evaluated_at;
    a.ods_code = st->ods_code;
    a.region = st->region;
    a.role = st->role;
    a.stale_nominations = st->stale_nominations;
    a.incumbent_person_id = st->incumbent_person_id;
    a.leaving_date = st->leaving_date;
    return pack_hex(&a.base);
}

/* Where a nomination comes in a post status's list (outputs.proto): eligible
 * ready now, eligible ready in 1-2 years, other eligible, ineligible. */
static int listing_rank(const rules_nomination_t *n)
{
    if (!n->eligible)
        return 3;
    return n->readiness == SUCCESSION__V1__READINESS__READINESS_READY_NOW         ? 0
           : n->readiness == SUCCESSION__V1__READINESS__READINESS_READY_1_2_YEARS ? 1
                                                                                  : 2;
}

/* Judges one post (row of facts) with its nominations and records it when
 * its outcome changed. Returns 0, or -1 when out of memory. */
static int judge_post(judge_ctx_t *ctx, const PGresult *facts, int row, rules_nomination_t *noms,
                      size_t nom_count, const char *caused_by)
{
    const bool designated = is_true(facts, row, F_DESIGNATED);
    if (!designated && !is_true(facts, row, F_EVALUATED))
        return 0;
    rules_post_t p = {
        .current_appointments = atoi(PQgetvalue(facts, row, F_CURRENT)),
        .current_substantive = atoi(PQgetvalue(facts, row, F_SUBSTANTIVE)),
        .incumbent_person_id = text_or_null(facts, row, F_INCUMBENT),
        .leaving_date = date_or_none(facts, row, F_LEAVING),
        .incumbent_high_risk_of_loss = is_true(facts, row, F_HIGH_RISK),
        .nominations = noms,
        .nomination_count = nom_count,
    };
    rules_result_t r;
    rules_evaluate(&p, ctx->settings, ctx->today, &r);
    if (!designated) { /* no longer watched: it resolves */
        r.at_risk = false;
        r.severity = SUCCESSION__V1__SEVERITY__SEVERITY_NONE;
        r.reason_count = 0;
    }
    ctx->stats->posts++;

    /* One allocation for the successor messages, their pointers and dates. */
    struct successor_slot {
        Succession__V1__Successor msg;
        char assessed[DATE_TEXT_SIZE];
    } *slots = calloc(nom_count ? nom_count : 1, sizeof *slots);
    Succession__V1__Successor **succ_ptrs = calloc(nom_count ? nom_count : 1, sizeof *succ_ptrs);
    if (!slots || !succ_ptrs) {
        free(slots);
        free(succ_ptrs);
        return -1;
    }
    size_t listed = 0;
    for (int rank = 0; rank < 4; rank++) {
        for (size_t i = 0; i < nom_count && listed < EVALUATE_MAX_LISTED_SUCCESSORS; i++) {
            if (listing_rank(&noms[i]) != rank)
                continue;
            Succession__V1__Successor *m = &slots[listed].msg;
            succession__v1__successor__init(m);
            m->person_id = (char *)noms[i].person_id;
            m->readiness = noms[i].readiness;
            if (noms[i].assessed_on != DATE_NONE)
                datetime_format_date(noms[i].assessed_on, slots[listed].assessed);
            m->assessed_on = slots[listed].assessed;
            m->eligible = noms[i].eligible;
            m->emergency_cover = noms[i].emergency_cover;
            m->stale = noms[i].stale;
            m->ineligible_because = noms[i].eligible ? "" : (char *)noms[i].ineligible_because;
            succ_ptrs[listed++] = m;
        }
    }
    Succession__V1__Thresholds th = SUCCESSION__V1__THRESHOLDS__INIT;
    th.min_ready_now = ctx->settings->min_ready_now;
    th.min_pipeline = ctx->settings->min_pipeline;
    th.assessment_max_age = ctx->settings->assessment_max_age;
    th.critical_horizon = ctx->settings->critical_horizon;
    th.notice_horizon = ctx->settings->notice_horizon;

    Succession__V1__PostStatus st = SUCCESSION__V1__POST_STATUS__INIT;
    char leaving[DATE_TEXT_SIZE];
    fill_status(&st, facts, row, &p, &r, leaving);
    st.n_successors = listed;
    st.successors = succ_ptrs;
    st.successors_omitted = (int32_t)(nom_count - listed);
    st.thresholds = &th;

    char *picture = pack_hex(&st.base);
    char *status = NULL, *alert = NULL;
    int rc = picture ? 0 : -1;
    if (rc)
        goto done;
    const char *prev_picture = text_or_null(facts, row, F_PICTURE);
    const bool was_at_risk = is_true(facts, row, F_AT_RISK);
    const Succession__V1__Severity was = atoi(PQgetvalue(facts, row, F_SEVERITY));
    const Succession__V1__AlertState transition =
        rules_alert_transition(was_at_risk, was, r.at_risk, r.severity);
    if (!transition && prev_picture && strcmp(prev_picture + 2, picture) == 0)
        goto done; /* nothing changed */
    int sequence = atoi(PQgetvalue(facts, row, F_SEQUENCE)) + (transition ? 1 : 0);
    st.caused_by_event_id = caused_by ? (char *)caused_by : "";
    st.evaluated_at = &ctx->evaluated_at;
    status = pack_hex(&st.base);
    alert = transition ? alert_hex(&st, transition, was, sequence) : NULL;
    rc = (!status || (transition && !alert)) ? -1 : 0;
    if (rc == 0)
        rc = record_append(ctx->rec, st.post_id, &r, sequence, picture, status, alert);
    ctx->stats->alerts += transition ? 1 : 0;
    ctx->stats->statuses++;
done:
    free(slots);
    free(succ_ptrs);
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

/* The caused-by event of post_id, by a scan of the caller's arrays. */
static const char *caused_by_of(const char *post_id, const char *const *post_ids,
                                const char *const *caused_by, size_t count)
{
    for (size_t i = 0; caused_by && i < count; i++)
        if (strcmp(post_ids[i], post_id) == 0)
            return caused_by[i];
    return NULL;
}

/* Judges every row of facts with its rows of noms (both sorted by post id). */
static int judge_all(judge_ctx_t *ctx, const PGresult *facts, const PGresult *noms,
                     const char *const *post_ids, const char *const *caused_by, size_t count)
{
    int total = PQntuples(noms), n = 0;
    rules_nomination_t *buf = calloc(total ? (size_t)total : 1, sizeof *buf);
    if (!buf)
        return -1;
    int rc = 0;
    for (int row = 0; rc == 0 && row < PQntuples(facts); row++) {
        const char *post_id = PQgetvalue(facts, row, F_POST_ID);
        while (n < total && strcmp(PQgetvalue(noms, n, N_POST_ID), post_id) < 0)
            n++;
        int first = n;
        while (n < total && strcmp(PQgetvalue(noms, n, N_POST_ID), post_id) == 0)
            n++;
        read_nominations(noms, first, n, buf);
        rc = judge_post(ctx, facts, row, buf, (size_t)(n - first),
                        caused_by_of(post_id, post_ids, caused_by, count));
    }
    free(buf);
    return rc;
}

db_status_t evaluate_posts(db_t *db, const char *const *post_ids, const char *const *caused_by,
                           size_t count, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
{
    if (count == 0)
        return DB_OK;
    rules_settings_t settings;
    record_t rec = {0};
    PGresult *facts = NULL, *noms = NULL;
    pgarray_t ids = {0};
    db_status_t st = load_settings(db, &settings, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    for (size_t i = 0; i < count; i++)
        if (append_text(&ids, post_ids[i]))
            goto oom;
    if (db_array_finish(&ids.buf, &ids.len, &ids.cap))
        goto oom;
    judge_ctx_t ctx = {
        .settings = &settings, .today = datetime_today(), .rec = &rec, .stats = stats};
    google__protobuf__timestamp__init(&ctx.evaluated_at);
    datetime_now(&ctx.evaluated_at.seconds, &ctx.evaluated_at.nanos);
    char today[DATE_TEXT_SIZE];
    datetime_format_date(ctx.today, today);
    const char *params[] = {ids.buf, today};
    st = db_exec(db, "SELECT * FROM post_facts($1::text[], $2::date)", 2, params, &facts, errstr,
                 errstr_size);
    if (st == DB_OK)
        st = db_exec(db, "SELECT * FROM post_nominations($1::text[], $2::date)", 2, params, &noms,
                     errstr, errstr_size);
    if (st == DB_OK && judge_all(&ctx, facts, noms, post_ids, caused_by, count))
        goto oom;
    if (st == DB_OK && rec.count > 0)
        st = record_write(db, &rec, &ctx, errstr, errstr_size);
    goto done;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    st = DB_FAULT;
done:
    PQclear(facts);
    PQclear(noms);
    free(ids.buf);
    record_free(&rec);
    return st;
}

db_status_t evaluate_all(db_t *db, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
{
    PGresult *res;
    db_status_t st = db_exec(db,
                             "SELECT p.post_id FROM post p LEFT JOIN post_state s USING (post_id) "
                             "WHERE p.designated OR s.post_id IS NOT NULL ORDER BY p.post_id",
                             0, NULL, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    int n = PQntuples(res);
    const char **ids = calloc(n ? (size_t)n : 1, sizeof *ids);
    pgarray_t list = {0};
    for (int i = 0; ids && i < n; i++) {
        ids[i] = PQgetvalue(res, i, 0);
        if (append_text(&list, ids[i]))
            break;
    }
    if (!ids || db_array_finish(&list.buf, &list.len, &list.cap)) {
        snprintf(errstr, errstr_size, "out of memory");
        st = DB_FAULT;
    }
    const char *params[] = {list.buf};
    if (st == DB_OK)
        st = db_exec(db, "SELECT lock_posts($1::text[])", 1, params, NULL, errstr, errstr_size);
    if (st == DB_OK)
        st = evaluate_posts(db, ids, NULL, (size_t)n, stats, errstr, errstr_size);
    free(list.buf);
    free(ids);
    PQclear(res);
    return st;
}
