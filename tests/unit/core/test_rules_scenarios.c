/* The readiness rules on every shared scenario (shared/scenarios/README.md).
 * Each folder's reference data and events are read through the core (csv,
 * pbjson, validate, events), judged in the order the contract gives (dead,
 * duplicate, parked, applied), folded into facts as deploy/migrations/007
 * folds them (per thing, the latest occurredAt wins, a tie to the larger
 * event id), gathered per post as common/io/evaluate.c gathers them, judged
 * by rules.c, written as a PostStatus by status.c and compared in its JSON
 * form (pbjson) with expected.json. Nothing of a scenario is written here:
 * a folder added to the scenarios is tested as it stands. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "csv.h"
#include "datetime.h"
#include "events.h"
#include "pbjson.h"
#include "rules.h"
#include "status.h"
#include "test_support.h"
#include "validate.h"

/* The head columns of an event's row (events.h). */
enum { COL_MEMBER, COL_EVENT_ID, COL_OCCURRED_AT };

/* One event that was taken (applied or parked): its column values as the
 * batch gives them to PostgreSQL. */
typedef struct taken_event {
    const events_kind_t *kind;
    char *row;                               /* events_row's buffer */
    const char *columns[EVENTS_MAX_COLUMNS]; /* into row; NULL where the value is NULL */
    int64_t seconds;                         /* occurredAt */
    int32_t nanos;
} taken_event_t;

/* The things events describe, each kept by one table of 002_facts.sql with
 * the event that won it. A closure is one thing per vacancy and post, of
 * which only whether one was applied matters. */
static const struct thing {
    const char *name;
    const char *members[2]; /* the event members that describe it */
    const char *keys[2];    /* the columns that name it */
} things[] = {
    {"notice", {"noticeGiven", "noticeWithdrawn"}, {"post_id", "person_id"}},
    {"vacancy", {"vacancyOpened"}, {"vacancy_id"}},
    {"vacancy_closure", {"vacancyClosed"}, {"vacancy_id", "post_id"}},
    {"appointment", {"appointed"}, {"appointment_id"}},
    {"appointment_end", {"appointmentEnded"}, {"appointment_id"}},
    {"talent_review", {"talentReview"}, {"person_id"}},
    {"nomination", {"successorNominated", "successorWithdrawn"}, {"post_id", "person_id"}},
};
#define THING_COUNT (sizeof things / sizeof things[0])

typedef struct fact {
    const struct thing *thing;
    size_t event; /* the winning event, an index into scenario_t.events */
} fact_t;

typedef struct post {
    char *post_id;
    bool designated;
} post_t;

/* One scenario folder, read and folded. */
typedef struct scenario {
    const char *dir;
    date_days_t today;
    post_t *posts;
    size_t post_count;
    taken_event_t *events;
    size_t event_count;
    fact_t *facts;
    size_t fact_count;
    int applied, duplicate, parked, dead;
} scenario_t;

static char *path_in(const char *dir, const char *name)
{
    size_t size = strlen(dir) + strlen(name) + 2;
    char *path = malloc(size);
    assert_non_null(path);
    snprintf(path, size, "%s/%s", dir, name);
    return path;
}

/* ---- reference data ---- */

/* The index of the header field `name` in a CSV header record. */
static size_t header_index(const csv_record_t *header, const char *name, const char *file)
{
    for (size_t i = 0; i < header->count; i++)
        if (strcmp(header->fields[i], name) == 0)
            return i;
    fail_msg("%s: no column %s", file, name);
    return 0;
}

/* Calls row(record, ctx) for each record of the CSV file after its header,
 * with the indexes of the named columns in idx. */
static void read_csv(const char *file, const char *const *names, size_t *idx, size_t count,
                     void (*row)(const csv_record_t *, const size_t *, void *), void *ctx)
{
    FILE *f = fopen(file, "r");
    if (!f)
        fail_msg("%s: %s", file, strerror(errno));
    csv_reader_t *csv = csv_open_file(f);
    assert_non_null(csv);
    char err[256];
    csv_record_t record;
    if (csv_read(csv, &record, err, sizeof err) != 1)
        fail_msg("%s: no header row", file);
    for (size_t i = 0; i < count; i++)
        idx[i] = header_index(&record, names[i], file);
    int rc;
    while ((rc = csv_read(csv, &record, err, sizeof err)) == 1) {
        for (size_t i = 0; i < count; i++)
            if (idx[i] >= record.count)
                fail_msg("%s: line %ld has no column %s", file, record.line, names[i]);
        row(&record, idx, ctx);
    }
    if (rc < 0)
        fail_msg("%s: %s", file, err);
    csv_free(csv);
    fclose(f);
}

typedef struct names {
    char **items;
    size_t count;
} names_t;

static void add_organisation(const csv_record_t *r, const size_t *idx, void *ctx)
{
    names_t *orgs = ctx;
    orgs->items = realloc(orgs->items, (orgs->count + 1) * sizeof *orgs->items);
    assert_non_null(orgs->items);
    orgs->items[orgs->count] = strdup(r->fields[idx[0]]);
    assert_non_null(orgs->items[orgs->count++]);
}

typedef struct post_reading {
    scenario_t *s;
    const names_t *orgs;
} post_reading_t;

/* A post is registered as import registers it: its organisation must be
 * known, top200 "yes" (any case) designates it. */
static void add_post(const csv_record_t *r, const size_t *idx, void *ctx)
{
    post_reading_t *pr = ctx;
    scenario_t *s = pr->s;
    bool known = false;
    for (size_t i = 0; i < pr->orgs->count && !known; i++)
        known = strcmp(pr->orgs->items[i], r->fields[idx[1]]) == 0;
    if (!known)
        fail_msg("%s: post %s names unknown organisation %s", s->dir, r->fields[idx[0]],
                 r->fields[idx[1]]);
    s->posts = realloc(s->posts, (s->post_count + 1) * sizeof *s->posts);
    assert_non_null(s->posts);
    post_t *p = &s->posts[s->post_count++];
    p->post_id = strdup(r->fields[idx[0]]);
    assert_non_null(p->post_id);
    p->designated = strcasecmp(r->fields[idx[2]], "yes") == 0;
}

static void read_reference_data(scenario_t *s)
{
    static const char *const org_columns[] = {"ods_code"};
    static const char *const post_columns[] = {"post_id", "ods_code", "top200"};
    size_t idx[3];
    names_t orgs = {0};
    char *file = path_in(s->dir, "organisations.csv");
    read_csv(file, org_columns, idx, 1, add_organisation, &orgs);
    free(file);
    post_reading_t pr = {s, &orgs};
    file = path_in(s->dir, "posts.csv");
    read_csv(file, post_columns, idx, 3, add_post, &pr);
    free(file);
    for (size_t i = 0; i < orgs.count; i++)
        free(orgs.items[i]);
    free(orgs.items);
}

static bool registered(const scenario_t *s, const char *post_id)
{
    for (size_t i = 0; post_id && i < s->post_count; i++)
        if (strcmp(s->posts[i].post_id, post_id) == 0)
            return true;
    return false;
}

/* ---- events: judged, then folded ---- */

/* The value of body column `name` of e; NULL when NULL or not a column of
 * its kind. */
static const char *column(const taken_event_t *e, const char *name)
{
    for (size_t c = 0; e->kind->columns[c]; c++)
        if (strcmp(e->kind->columns[c], name) == 0)
            return e->columns[EVENTS_HEAD_COLUMNS + c];
    return NULL;
}

static date_days_t date_column(const taken_event_t *e, const char *name)
{
    const char *text = column(e, name);
    date_days_t days = DATE_NONE;
    if (text && datetime_parse_date(text, &days))
        fail_msg("%s: %s is not a date", name, text);
    return days;
}

/* Whether value is the text expected; NULL is nothing. */
static bool is(const char *value, const char *expected)
{
    return value && expected && strcmp(value, expected) == 0;
}

/* Whether a wins over b: the later occurredAt, a tie to the larger event
 * id in byte order (the event_id columns are COLLATE "C"). */
static bool wins_over(const taken_event_t *a, const taken_event_t *b)
{
    if (a->seconds != b->seconds)
        return a->seconds > b->seconds;
    if (a->nanos != b->nanos)
        return a->nanos > b->nanos;
    return strcmp(a->columns[COL_EVENT_ID], b->columns[COL_EVENT_ID]) > 0;
}

static const struct thing *thing_of(const taken_event_t *e)
{
    for (size_t t = 0; t < THING_COUNT; t++)
        for (size_t m = 0; m < 2; m++)
            if (is(things[t].members[m], e->columns[COL_MEMBER]))
                return &things[t];
    return NULL;
}

static bool same_thing(const scenario_t *s, const fact_t *f, const struct thing *t,
                       const taken_event_t *e)
{
    if (f->thing != t)
        return false;
    for (size_t k = 0; k < 2 && t->keys[k]; k++)
        if (!is(column(&s->events[f->event], t->keys[k]), column(e, t->keys[k])))
            return false;
    return true;
}

/* Folds taken event number i into the facts, as the apply functions'
 * upserts do. */
static void fold(scenario_t *s, size_t i)
{
    const taken_event_t *e = &s->events[i];
    const struct thing *t = thing_of(e);
    if (!t)
        fail_msg("%s: event %s has no thing to fold into", s->dir, e->columns[COL_EVENT_ID]);
    for (size_t f = 0; f < s->fact_count; f++) {
        if (same_thing(s, &s->facts[f], t, e)) {
            if (wins_over(e, &s->events[s->facts[f].event]))
                s->facts[f].event = i;
            return;
        }
    }
    s->facts = realloc(s->facts, (s->fact_count + 1) * sizeof *s->facts);
    assert_non_null(s->facts);
    s->facts[s->fact_count++] = (fact_t){t, i};
}

/* Judges one line of events.jsonl and, when it is taken, keeps and folds
 * it. */
static void take_line(scenario_t *s, const char *line)
{
    json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, NULL);
    const char *topic = json_string_value(json_object_get(obj, "topic"));
    const events_kind_t *kind = topic ? events_kind_by_name(topic) : NULL;
    if (!kind)
        fail_msg("%s: a line without a known topic: %s", s->dir, line);
    json_object_del(obj, "topic");
    ProtobufCMessage *msg = NULL;
    char err[512];
    if (pbjson_decode(kind->descriptor, obj, &msg, err, sizeof err) ||
        validate_event(msg, err, sizeof err)) {
        s->dead++;
        pbjson_free(msg);
        json_decref(obj);
        return;
    }
    taken_event_t e = {.kind = kind};
    size_t len;
    uint32_t nulls;
    assert_int_equal(events_row(kind, msg, &e.row, &len, &nulls), 0);
    pbjson_free(msg);
    json_decref(obj);
    const char *value = e.row;
    for (size_t c = 0; c < events_column_count(kind); c++, value += strlen(value) + 1)
        e.columns[c] = nulls & (1u << c) ? NULL : value;
    assert_int_equal(datetime_parse_instant(e.columns[COL_OCCURRED_AT], &e.seconds, &e.nanos), 0);

    /* An event id is taken once, by an event that was not dead. */
    for (size_t i = 0; i < s->event_count; i++) {
        if (strcmp(s->events[i].columns[COL_EVENT_ID], e.columns[COL_EVENT_ID]) == 0) {
            s->duplicate++;
            free(e.row);
            return;
        }
    }
    /* A parked event's facts are kept too; every reading goes through the
     * registered posts. */
    const char *post_id = column(&e, "post_id");
    if (post_id && !registered(s, post_id))
        s->parked++;
    else
        s->applied++;
    s->events = realloc(s->events, (s->event_count + 1) * sizeof *s->events);
    assert_non_null(s->events);
    s->events[s->event_count] = e;
    fold(s, s->event_count++);
}

static void read_events(scenario_t *s)
{
    char *file = path_in(s->dir, "events.jsonl");
    FILE *f = fopen(file, "r");
    if (!f)
        fail_msg("%s: %s", file, strerror(errno));
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, f) > 0)
        if (line[strspn(line, " \t\r\n")] != '\0')
            take_line(s, line);
    free(line);
    fclose(f);
    free(file);
}

/* ---- the facts of a post, gathered as the evaluator gathers them ---- */

/* The winning event of fact i when the fact is a `thing`, else NULL. */
static const taken_event_t *fact_of(const scenario_t *s, size_t i, const char *thing)
{
    return strcmp(s->facts[i].thing->name, thing) == 0 ? &s->events[s->facts[i].event] : NULL;
}

/* The winning talent review of a person, or NULL. */
static const taken_event_t *talent_review(const scenario_t *s, const char *person_id)
{
    for (size_t i = 0; i < s->fact_count; i++) {
        const taken_event_t *e = fact_of(s, i, "talent_review");
        if (e && is(column(e, "person_id"), person_id))
            return e;
    }
    return NULL;
}

/* Whether a person has left the NHS, from the appointments and ends of
 * registered posts (evaluation_persons). */
static bool left_nhs(const scenario_t *s, const char *person_id, date_days_t today)
{
    date_days_t left_on = DATE_NONE, latest_start = DATE_NONE;
    for (size_t i = 0; i < s->fact_count; i++) {
        const taken_event_t *e = fact_of(s, i, "appointment_end");
        if (e && is(column(e, "person_id"), person_id) && registered(s, column(e, "post_id")) &&
            is(column(e, "reason"), "END_REASON_LEFT_NHS")) {
            date_days_t end = date_column(e, "end_date");
            if (end <= today && end > left_on)
                left_on = end;
        }
        e = fact_of(s, i, "appointment");
        if (e && is(column(e, "person_id"), person_id) && registered(s, column(e, "post_id"))) {
            date_days_t start = date_column(e, "start_date");
            if (start <= today && start > latest_start)
                latest_start = start;
        }
    }
    return rules_left_nhs(left_on, latest_start);
}

/* Whether vacancy_id has a closure applied for a registered post
 * (evaluation_vacancies). */
static bool closed(const scenario_t *s, const char *vacancy_id)
{
    for (size_t i = 0; i < s->fact_count; i++) {
        const taken_event_t *e = fact_of(s, i, "vacancy_closure");
        if (e && is(column(e, "vacancy_id"), vacancy_id) && registered(s, column(e, "post_id")))
            return true;
    }
    return false;
}

/* Room for one post's facts: no post has more than the scenario's facts. */
typedef struct gathered {
    rules_appointment_t *appointments;
    rules_notice_t *notices;
    date_days_t *vacancies;
    rules_nomination_t *nominations;
    status_successors_t listed;
} gathered_t;

/* The appointments of post_id into g, each with the actual end of its
 * winning appointmentEnded. Returns how many. */
static size_t gather_appointments(const scenario_t *s, const char *post_id, gathered_t *g)
{
    size_t n = 0;
    for (size_t i = 0; i < s->fact_count; i++) {
        const taken_event_t *a = fact_of(s, i, "appointment");
        if (!a || !is(column(a, "post_id"), post_id))
            continue;
        const char *id = column(a, "appointment_id");
        date_days_t actual_end = DATE_NONE;
        for (size_t k = 0; k < s->fact_count; k++) {
            const taken_event_t *end = fact_of(s, k, "appointment_end");
            if (end && is(column(end, "appointment_id"), id))
                actual_end = date_column(end, "end_date");
        }
        g->appointments[n++] = (rules_appointment_t){
            id,
            column(a, "person_id"),
            is(column(a, "kind"), "APPOINTMENT_KIND_SUBSTANTIVE"),
            date_column(a, "start_date"),
            date_column(a, "end_date"),
            actual_end,
        };
    }
    return n;
}

/* Judges post_id as of the scenario's today; returns the picture of its
 * PostStatus in its JSON form (the caller owns it). */
static json_t *judge_post(const scenario_t *s, const char *post_id, gathered_t *g)
{
    size_t na = gather_appointments(s, post_id, g), nt = 0, nv = 0;
    for (size_t i = 0; i < s->fact_count; i++) {
        const taken_event_t *e = fact_of(s, i, "notice");
        if (e && is(column(e, "post_id"), post_id) && is(e->columns[COL_MEMBER], "noticeGiven"))
            g->notices[nt++] =
                (rules_notice_t){column(e, "person_id"), date_column(e, "leaving_date")};
        e = fact_of(s, i, "vacancy");
        if (e && is(column(e, "post_id"), post_id) && !closed(s, column(e, "vacancy_id")))
            g->vacancies[nv++] = date_column(e, "vacant_from");
    }
    rules_holders_t h;
    rules_holders(g->appointments, na, s->today, &h);
    rules_post_t p = {
        .current_appointments = h.current,
        .current_substantive = h.substantive,
        .incumbent_person_id = h.incumbent ? h.incumbent->person_id : NULL,
        .leaving_date = rules_leaving_date(h.incumbent, g->notices, nt, g->vacancies, nv, s->today),
        .nominations = g->nominations,
    };
    const taken_event_t *review = talent_review(s, p.incumbent_person_id);
    p.incumbent_high_risk_of_loss = review && is(column(review, "risk_of_loss"), "RATING_HIGH");

    for (size_t i = 0; i < s->fact_count; i++) {
        const taken_event_t *e = fact_of(s, i, "nomination");
        if (!e || !is(column(e, "post_id"), post_id) ||
            !is(e->columns[COL_MEMBER], "successorNominated"))
            continue;
        const char *person_id = column(e, "person_id");
        const ProtobufCEnumValue *readiness = protobuf_c_enum_descriptor_get_value_by_name(
            &succession__v1__readiness__descriptor, column(e, "readiness"));
        assert_non_null(readiness);
        review = talent_review(s, person_id);
        g->nominations[p.nomination_count++] = (rules_nomination_t){
            .person_id = person_id,
            .readiness = (Succession__V1__Readiness)readiness->value,
            .assessed_on = date_column(e, "assessed_on"),
            .emergency_cover = is(column(e, "emergency_cover"), "true"),
            .left_nhs = left_nhs(s, person_id, s->today),
            .fit_and_proper_failed =
                review && is(column(review, "fit_and_proper"), "FIT_AND_PROPER_FAILED"),
        };
    }
    rules_settings_t settings;
    rules_settings_default(&settings);
    rules_result_t r;
    rules_evaluate(&p, &settings, s->today, &r);
    Succession__V1__PostStatus st = SUCCESSION__V1__POST_STATUS__INIT;
    Succession__V1__Thresholds thresholds;
    char leaving[DATE_TEXT_SIZE];
    status_fill_picture(&st, &p, &r, &thresholds, &settings, g->listed, leaving);
    json_t *picture = pbjson_encode(&st.base);
    assert_non_null(picture);
    return picture;
}

/* ---- comparing with expected.json ---- */

/* Differences, one line each, into a growing text. */
typedef struct diff {
    FILE *out;
    char *text;
    size_t len;
    int count;
} diff_t;

/* Notes a difference when want and got are not the same JSON value. */
static void differs(diff_t *d, const char *what, const char *field, const json_t *want,
                    const json_t *got)
{
    if (json_equal(want, got))
        return;
    char *w = want ? json_dumps(want, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    char *g = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    fprintf(d->out, "  %s %s: expected %s, got %s\n", what, field, w ? w : "nothing",
            g ? g : "nothing");
    free(w);
    free(g);
    d->count++;
}

/* Member name of expected.json; where it is absent or null, the default
 * (0, false, "", []) of got, as proto3 JSON may leave a default out. A new
 * reference. */
static json_t *expected_member(const json_t *obj, const char *name, const json_t *got)
{
    json_t *v = json_object_get(obj, name);
    if (v && !json_is_null(v))
        return json_incref(v);
    if (json_is_string(got))
        return json_string("");
    if (json_is_array(got))
        return json_array();
    if (json_is_boolean(got))
        return json_false();
    return json_integer(0);
}

/* The fields of a post's final status that expected.json fixes. */
static const char *const compared_fields[] = {
    "atRisk",  "severity",         "readyNow",          "readySoon",
    "reasons", "staleNominations", "incumbentPersonId", "leavingDate",
};

/* Every designated post, and only those, as expected.json says. */
static void compare_posts(diff_t *d, const scenario_t *s, const json_t *expected)
{
    const json_t *posts = json_object_get(expected, "posts");
    if (!json_is_object(posts)) {
        fprintf(d->out, "  expected.json has no \"posts\" object\n");
        d->count++;
        return;
    }
    size_t room = s->fact_count ? s->fact_count : 1;
    gathered_t g = {calloc(room, sizeof *g.appointments),
                    calloc(room, sizeof *g.notices),
                    calloc(room, sizeof *g.vacancies),
                    calloc(room, sizeof *g.nominations),
                    {calloc(room, sizeof *g.listed.msgs), calloc(room, sizeof *g.listed.ptrs),
                     calloc(room, sizeof *g.listed.dates)}};
    assert_true(g.appointments && g.notices && g.vacancies && g.nominations && g.listed.msgs &&
                g.listed.ptrs && g.listed.dates);
    for (size_t i = 0; i < s->post_count; i++) {
        const post_t *p = &s->posts[i];
        const json_t *want = json_object_get(posts, p->post_id);
        if (p->designated != (want != NULL)) {
            fprintf(d->out, "  %s: %s, yet %s expected.json\n", p->post_id,
                    p->designated ? "designated" : "not designated", want ? "in" : "not in");
            d->count++;
        }
        if (!p->designated || !want)
            continue;
        json_t *got = judge_post(s, p->post_id, &g);
        for (size_t f = 0; f < sizeof compared_fields / sizeof compared_fields[0]; f++) {
            const json_t *value = json_object_get(got, compared_fields[f]);
            json_t *wanted = expected_member(want, compared_fields[f], value);
            differs(d, p->post_id, compared_fields[f], wanted, value);
            json_decref(wanted);
        }
        json_decref(got);
    }
    const char *post_id;
    const json_t *want;
    json_object_foreach((json_t *)posts, post_id, want)
    {
        if (!registered(s, post_id)) {
            fprintf(d->out, "  %s: in expected.json, yet not in posts.csv\n", post_id);
            d->count++;
        }
    }
    free(g.appointments);
    free(g.notices);
    free(g.vacancies);
    free(g.nominations);
    free(g.listed.msgs);
    free(g.listed.ptrs);
    free(g.listed.dates);
}

static void compare_outcomes(diff_t *d, const scenario_t *s, const json_t *expected)
{
    const json_t *want = json_object_get(expected, "outcomes_if_every_line_is_published");
    const struct {
        const char *name;
        int got;
    } outcomes[] = {{"applied", s->applied},
                    {"duplicate", s->duplicate},
                    {"parked", s->parked},
                    {"dead", s->dead}};
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++) {
        json_t *got = json_integer(outcomes[i].got);
        differs(d, "events", outcomes[i].name, json_object_get(want, outcomes[i].name), got);
        json_decref(got);
    }
}

static void free_scenario(scenario_t *s)
{
    for (size_t i = 0; i < s->post_count; i++)
        free(s->posts[i].post_id);
    for (size_t i = 0; i < s->event_count; i++)
        free(s->events[i].row);
    free(s->posts);
    free(s->events);
    free(s->facts);
}

/* ---- the tests ---- */

/* One test per scenario folder; *state is the folder. */
static void test_scenario_agrees_with_expected_json(void **state)
{
    scenario_t s = {.dir = *state};
    char *file = path_in(s.dir, "expected.json");
    json_error_t jerr;
    json_t *expected = json_load_file(file, 0, &jerr);
    if (!expected)
        fail_msg("%s: line %d: %s", file, jerr.line, jerr.text);
    free(file);
    const char *now = json_string_value(json_object_get(expected, "now"));
    if (!now || datetime_set_now(now))
        fail_msg("%s: expected.json has no RFC 3339 \"now\"", s.dir);
    s.today = datetime_today();
    assert_int_equal(datetime_set_now(NULL), 0);

    read_reference_data(&s);
    read_events(&s);
    diff_t d = {0};
    d.out = open_memstream(&d.text, &d.len);
    assert_non_null(d.out);
    compare_outcomes(&d, &s, expected);
    compare_posts(&d, &s, expected);
    fclose(d.out);
    free_scenario(&s);
    json_decref(expected);
    if (d.count > 0) {
        print_error("%s: %d differences from expected.json:\n%s", (const char *)*state, d.count,
                    d.text);
        free(d.text);
        fail();
    }
    free(d.text);
}

/* *state is the number of scenario folders found. A missing or empty
 * folder must not pass as "nothing to test". */
static void test_the_scenarios_folder_holds_scenarios(void **state)
{
    if (*(const size_t *)*state == 0)
        fail_msg("no scenario (a folder with expected.json) in %s; point SUCCESSION_SCENARIOS_DIR "
                 "(the environment, or the CMake cache variable) at the shared scenarios",
                 scenarios_dir());
}

int main(void)
{
    glob_t found = {0};
    char *pattern = path_in(scenarios_dir(), "*/expected.json");
    size_t count = glob(pattern, 0, NULL, &found) == 0 ? found.gl_pathc : 0;
    free(pattern);
    struct CMUnitTest tests[count + 1];
    tests[0] = (struct CMUnitTest)cmocka_unit_test_prestate(
        test_the_scenarios_folder_holds_scenarios, &count);
    for (size_t i = 0; i < count; i++) {
        *strrchr(found.gl_pathv[i], '/') = '\0';
        tests[i + 1] = (struct CMUnitTest)cmocka_unit_test_prestate(
            test_scenario_agrees_with_expected_json, found.gl_pathv[i]);
        tests[i + 1].name = strrchr(found.gl_pathv[i], '/') + 1;
    }
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    globfree(&found);
    return failed;
}
