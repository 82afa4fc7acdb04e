/* summary: the programme's view from the database to the outbox. */
#include "summary.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- reading the view ---- */

/* Fills post p from picture st; its eligible ready-now successors' ids go
 * to ids (room for st's successors). Returns how many ids it used. */
static size_t post_from_picture(programme_post_t *p, const Succession__V1__PostStatus *st,
                                const char **ids)
{
    size_t n = 0;
    for (size_t i = 0; i < st->n_successors; i++) {
        const Succession__V1__Successor *s = st->successors[i];
        if (s->eligible && s->readiness == SUCCESSION__V1__READINESS__READINESS_READY_NOW)
            ids[n++] = s->person_id;
    }
    *p = (programme_post_t){.post_id = st->post_id,
                            .region = st->region,
                            .role = st->role,
                            .at_risk = st->at_risk,
                            .severity = st->severity,
                            .ready_now = st->ready_now,
                            .pipeline = st->pipeline,
                            .ready_now_ids = ids,
                            .ready_now_id_count = n};
    return n;
}

/* Unpacks the pictures of res (one bytea column) into w->pictures. */
static db_status_t unpack_pictures(const PGresult *res, summary_world_t *w, size_t *successors,
                                   char *errstr, size_t errstr_size)
{
    int rows = PQntuples(res);
    w->pictures = calloc(rows ? (size_t)rows : 1, sizeof *w->pictures);
    if (!w->pictures)
        goto oom;
    for (int i = 0; i < rows; i++) {
        size_t len;
        uint8_t *bytes = db_bytea_decode(PQgetvalue(res, i, 0), &len);
        if (!bytes)
            goto oom;
        w->pictures[i] = succession__v1__post_status__unpack(NULL, len, bytes);
        free(bytes);
        if (!w->pictures[i]) {
            snprintf(errstr, errstr_size,
                     "the stored picture of a designated post does not unpack");
            return DB_FAULT;
        }
        w->count++;
        *successors += w->pictures[i]->n_successors;
    }
    return DB_OK;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    return DB_FAULT;
}

db_status_t summary_load(db_t *db, summary_world_t *w, char *errstr, size_t errstr_size)
{
    memset(w, 0, sizeof *w);
    PGresult *res;
    db_status_t st = db_exec(db,
                             "SELECT s.picture FROM post p JOIN post_state s USING (post_id) "
                             "WHERE p.designated ORDER BY p.post_id",
                             0, NULL, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    size_t successors = 0;
    st = unpack_pictures(res, w, &successors, errstr, errstr_size);
    PQclear(res);
    if (st != DB_OK)
        return st;
    w->posts = calloc(w->count ? w->count : 1, sizeof *w->posts);
    w->ready_now_ids = calloc(successors ? successors : 1, sizeof *w->ready_now_ids);
    if (w->posts && w->ready_now_ids) {
        size_t used = 0;
        for (size_t i = 0; i < w->count; i++)
            used += post_from_picture(&w->posts[i], w->pictures[i], &w->ready_now_ids[used]);
        if (programme_build(w->posts, w->count, &w->view) == 0)
            return DB_OK;
    }
    snprintf(errstr, errstr_size, "out of memory");
    return DB_FAULT;
}

void summary_world_free(summary_world_t *w)
{
    for (size_t i = 0; i < w->count; i++)
        succession__v1__post_status__free_unpacked(w->pictures[i], NULL);
    free(w->pictures);
    free(w->posts);
    free(w->ready_now_ids);
    programme_free(&w->view);
    memset(w, 0, sizeof *w);
}

/* ---- summaries with their trend ---- */

enum { T_KEY, T_DAY, T_DESIGNATED, T_AT_RISK, T_COVERED, T_COVER, T_SHARED, T_CONTENDED };

/* Trend point i of out from row `row` of out->trend. */
static Succession__V1__TrendPoint *trend_point(summary_set_t *out, size_t i, int row)
{
    const PGresult *t = out->trend;
    Succession__V1__TrendPoint *p = &out->points[i];
    succession__v1__trend_point__init(p);
    snprintf(out->dates[i], DATE_TEXT_SIZE, "%s", PQgetvalue(t, row, T_DAY));
    p->date = out->dates[i];
    p->designated = atoi(PQgetvalue(t, row, T_DESIGNATED));
    p->at_risk = atoi(PQgetvalue(t, row, T_AT_RISK));
    p->covered = atoi(PQgetvalue(t, row, T_COVERED));
    p->simultaneous_cover = atoi(PQgetvalue(t, row, T_COVER));
    p->shared_successors = atoi(PQgetvalue(t, row, T_SHARED));
    p->contended_posts = atoi(PQgetvalue(t, row, T_CONTENDED));
    return p;
}

/* An array literal of the groups' keys into *keys (the caller frees). */
static int key_array(const programme_group_t *groups, size_t count, char **keys)
{
    size_t len = 0, cap = 0;
    *keys = NULL;
    for (size_t i = 0; i < count; i++)
        if (db_array_append(keys, &len, &cap, groups[i].key))
            return -1;
    return db_array_finish(keys, &len, &cap);
}

db_status_t summary_build(db_t *db, const programme_group_t *groups, size_t count,
                          date_days_t today, summary_set_t *out, char *errstr, size_t errstr_size)
{
    memset(out, 0, sizeof *out);
    char *keys, day[DATE_TEXT_SIZE], span[16];
    datetime_format_date(today, day);
    snprintf(span, sizeof span, "%d", SUMMARY_TREND_DAYS);
    if (key_array(groups, count, &keys)) {
        free(keys);
        snprintf(errstr, errstr_size, "out of memory");
        return DB_FAULT;
    }
    const char *params[] = {keys, day, span};
    db_status_t st = db_exec(
        db,
        "SELECT key, day, designated, at_risk, covered, simultaneous_cover, shared_successors, "
        "contended_posts FROM programme_trend WHERE key = ANY ($1::text[]) "
        "AND day > $2::date - $3::integer AND day <= $2::date ORDER BY key, day",
        3, params, &out->trend, errstr, errstr_size);
    free(keys);
    if (st != DB_OK)
        return st;
    size_t rows = (size_t)PQntuples(out->trend), room = rows ? rows : 1;
    out->msgs = calloc(count ? count : 1, sizeof *out->msgs);
    out->points = calloc(room, sizeof *out->points);
    out->point_ptrs = calloc(room, sizeof *out->point_ptrs);
    out->dates = calloc(room, sizeof *out->dates);
    if (!out->msgs || !out->points || !out->point_ptrs || !out->dates) {
        snprintf(errstr, errstr_size, "out of memory");
        return DB_FAULT;
    }
    size_t used = 0;
    for (size_t g = 0; g < count; g++, out->count++) {
        Succession__V1__ProgrammeSummary *m = &out->msgs[g];
        succession__v1__programme_summary__init(m);
        programme_summary(m, &groups[g]);
        m->trend = &out->point_ptrs[used];
        for (int r = 0; r < (int)rows; r++) {
            if (strcmp(PQgetvalue(out->trend, r, T_KEY), groups[g].key) != 0)
                continue;
            out->point_ptrs[used] = trend_point(out, used, r);
            used++;
            m->n_trend++;
        }
    }
    return DB_OK;
}

void summary_set_free(summary_set_t *s)
{
    free(s->msgs);
    free(s->points);
    free(s->point_ptrs);
    free(s->dates);
    PQclear(s->trend);
    memset(s, 0, sizeof *s);
}

/* ---- publishing ---- */

/* Growing array literals of one publication. */
typedef struct columns {
    char *buf[8];
    size_t len[8], cap[8];
} columns_t;

static int column_text(columns_t *c, int col, const char *text)
{
    return db_array_append(&c->buf[col], &c->len[col], &c->cap[col], text);
}

static int column_int(columns_t *c, int col, long v)
{
    return db_array_append_long(&c->buf[col], &c->len[col], &c->cap[col], v);
}

static int columns_finish(columns_t *c, int n)
{
    for (int i = 0; i < n; i++)
        if (db_array_finish(&c->buf[i], &c->len[i], &c->cap[i]))
            return -1;
    return 0;
}

static void columns_free(columns_t *c)
{
    for (int i = 0; i < 8; i++)
        free(c->buf[i]);
}

/* The groups to consider: the view's, then a zero group for every key sent
 * before that has no designated posts now (its key borrowed from sent). */
static programme_group_t *groups_with_vanished(const programme_t *view, const PGresult *sent,
                                               size_t *count)
{
    size_t n = view->group_count, room = n + (size_t)PQntuples(sent);
    programme_group_t *all = calloc(room ? room : 1, sizeof *all);
    if (!all)
        return NULL;
    memcpy(all, view->groups, n * sizeof *all);
    for (int r = 0; r < PQntuples(sent); r++) {
        const char *key = PQgetvalue(sent, r, 0);
        size_t g = 0;
        while (g < view->group_count && strcmp(view->groups[g].key, key) != 0)
            g++;
        if (g == view->group_count)
            all[n++] = (programme_group_t){.key = (char *)key};
    }
    *count = n;
    return all;
}

/* Whether group g's summary (packed without trend, as hex) differs from
 * what sent holds for it, or was sent before today. */
static bool changed(const PGresult *sent, const char *key, const char *hex, const char *today)
{
    for (int r = 0; r < PQntuples(sent); r++) {
        if (strcmp(PQgetvalue(sent, r, 0), key) != 0)
            continue;
        return !db_bytea_is_hex(PQgetvalue(sent, r, 1), hex) ||
               strcmp(PQgetvalue(sent, r, 2), today) != 0;
    }
    return true;
}

enum { C_KEY, C_DESIGNATED, C_AT_RISK, C_COVERED, C_COVER, C_SHARED, C_CONTENDED, C_SUMMARY };

/* Appends group g's trend numbers and packed summary (hex) to the columns. */
static int columns_add(columns_t *c, const programme_group_t *g, const char *hex)
{
    return column_text(c, C_KEY, g->key) || column_int(c, C_DESIGNATED, g->designated) ||
           column_int(c, C_AT_RISK, g->at_risk) || column_int(c, C_COVERED, g->covered) ||
           column_int(c, C_COVER, g->simultaneous_cover) ||
           column_int(c, C_SHARED, g->shared_successors) ||
           column_int(c, C_CONTENDED, g->contended_posts) || column_text(c, C_SUMMARY, hex);
}

/* Records today's trend point of every group in all, and the summary of the
 * changed ones as sent (the vanished ones are forgotten). */
static db_status_t record_sent(db_t *db, columns_t *every, columns_t *sent, const char *today,
                               char *errstr, size_t errstr_size)
{
    const char *trend[] = {today,
                           every->buf[C_KEY],
                           every->buf[C_DESIGNATED],
                           every->buf[C_AT_RISK],
                           every->buf[C_COVERED],
                           every->buf[C_COVER],
                           every->buf[C_SHARED],
                           every->buf[C_CONTENDED]};
    db_status_t st =
        db_exec(db,
                "INSERT INTO programme_trend AS t (day, key, designated, at_risk, covered, "
                "simultaneous_cover, shared_successors, contended_posts) "
                "SELECT $1::date, u.* FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], "
                "$6::int[], $7::int[], $8::int[]) AS u "
                "ON CONFLICT (key, day) DO UPDATE SET designated = EXCLUDED.designated, "
                "at_risk = EXCLUDED.at_risk, covered = EXCLUDED.covered, "
                "simultaneous_cover = EXCLUDED.simultaneous_cover, "
                "shared_successors = EXCLUDED.shared_successors, contended_posts = "
                "EXCLUDED.contended_posts",
                8, trend, NULL, errstr, errstr_size);
    const char *summaries[] = {today, sent->buf[C_KEY], sent->buf[C_DESIGNATED],
                               sent->buf[C_SUMMARY]};
    if (st == DB_OK)
        st = db_exec(
            db,
            "WITH u AS (SELECT * FROM unnest($2::text[], $3::int[], $4::text[]) "
            "AS u(key, designated, summary)), "
            "gone AS (DELETE FROM programme_summary s USING u "
            "WHERE s.key = u.key AND u.designated = 0) "
            "INSERT INTO programme_summary (key, summary, day) "
            "SELECT key, decode(summary, 'hex'), $1::date FROM u WHERE designated > 0 "
            "ON CONFLICT (key) DO UPDATE SET summary = EXCLUDED.summary, day = EXCLUDED.day",
            4, summaries, NULL, errstr, errstr_size);
    return st;
}

/* Queues the full summaries (with trend and evaluatedAt) of groups. */
static db_status_t queue_summaries(db_t *db, const programme_group_t *groups, size_t count,
                                   date_days_t today, long *queued, char *errstr,
                                   size_t errstr_size)
{
    summary_set_t set;
    columns_t c = {0};
    db_status_t st = summary_build(db, groups, count, today, &set, errstr, errstr_size);
    Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    datetime_now(&at.seconds, &at.nanos);
    for (size_t i = 0; st == DB_OK && i < set.count; i++) {
        set.msgs[i].evaluated_at = &at;
        char *hex = db_pack_hex(&set.msgs[i].base);
        if (!hex || column_text(&c, 0, groups[i].key) || column_text(&c, 1, hex))
            st = DB_FAULT, snprintf(errstr, errstr_size, "out of memory");
        free(hex);
    }
    if (st == DB_OK && columns_finish(&c, 2))
        st = DB_FAULT, snprintf(errstr, errstr_size, "out of memory");
    const char *params[] = {c.buf[0], c.buf[1]};
    if (st == DB_OK)
        st = db_exec(db,
                     "INSERT INTO outbox (kind, post_id, payload) SELECT 'summary', k, "
                     "decode(p, 'hex') FROM unnest($1::text[], $2::text[]) AS u(k, p)",
                     2, params, NULL, errstr, errstr_size);
    if (st == DB_OK)
        *queued += (long)set.count;
    columns_free(&c);
    summary_set_free(&set);
    return st;
}

/* Sorts the groups of all into every (each) and sent (the changed ones,
 * whose groups are also copied to changed_groups). */
static int sort_groups(const programme_group_t *all, size_t count, const PGresult *sent,
                       const char *today, columns_t *every, columns_t *out,
                       programme_group_t *changed_groups, size_t *changed_count)
{
    for (size_t g = 0; g < count; g++) {
        Succession__V1__ProgrammeSummary m = SUCCESSION__V1__PROGRAMME_SUMMARY__INIT;
        programme_summary(&m, &all[g]);
        char *hex = db_pack_hex(&m.base);
        int rc = !hex || columns_add(every, &all[g], hex);
        if (!rc && changed(sent, all[g].key, hex, today)) {
            rc = columns_add(out, &all[g], hex);
            changed_groups[(*changed_count)++] = all[g];
        }
        free(hex);
        if (rc)
            return -1;
    }
    return columns_finish(every, 8) || columns_finish(out, 8);
}

db_status_t summary_publish(db_t *db, long *queued, char *errstr, size_t errstr_size)
{
    summary_world_t w;
    PGresult *sent = NULL;
    programme_group_t *all = NULL, *changed_groups = NULL;
    columns_t every = {0}, out = {0};
    size_t count = 0, changed_count = 0;
    date_days_t today = datetime_today();
    char day[DATE_TEXT_SIZE];
    datetime_format_date(today, day);
    db_status_t st = summary_load(db, &w, errstr, errstr_size);
    if (st == DB_OK)
        st = db_exec(db, "SELECT key, summary, day FROM programme_summary", 0, NULL, &sent, errstr,
                     errstr_size);
    if (st == DB_OK) {
        all = groups_with_vanished(&w.view, sent, &count);
        changed_groups = calloc(count ? count : 1, sizeof *changed_groups);
        if (!all || !changed_groups ||
            sort_groups(all, count, sent, day, &every, &out, changed_groups, &changed_count))
            st = DB_FAULT, snprintf(errstr, errstr_size, "out of memory");
    }
    if (st == DB_OK)
        st = record_sent(db, &every, &out, day, errstr, errstr_size);
    if (st == DB_OK && changed_count > 0)
        st = queue_summaries(db, changed_groups, changed_count, today, queued, errstr, errstr_size);
    columns_free(&every);
    columns_free(&out);
    free(all);
    free(changed_groups);
    PQclear(sent);
    summary_world_free(&w);
    return st;
}
