/* sim_write: writes the simulated world (sim_world.c) into a folder as
 * organisations.csv, posts.csv and events.jsonl, in the contract of
 * shared/scenarios/README.md. It orders the events for delivery and adds
 * the delivery's noise: ~1% late lines, ~1% exact repeats of earlier lines,
 * ~0.1% invalid lines (empty eventId, an UNSPECIFIED enum, 30 February);
 * the unregistered posts' history is in the feed but not in posts.csv, so
 * it parks. The same seed and "now" give byte-identical files. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "datetime.h"
#include "sim_world.h"
#include "sim_write.h"

#define SIM_RECENT    256 /* a repeated line is one of the last SIM_RECENT */
#define SIM_LINE_SIZE 1024
#define SIM_PATH_SIZE 4096

/* The text of each code, indexed as in sim_world.h. */
static const char *const ev_members[] = {
    "noticeGiven",      "noticeWithdrawn", "vacancyOpened",      "vacancyClosed",     "appointed",
    "appointmentEnded", "talentReview",    "successorNominated", "successorWithdrawn"};
static const char *const leaving_reasons[] = {"RESIGNATION", "RETIREMENT", "END_OF_CONTRACT",
                                              "DISMISSAL",   "NEW_POST",   "OTHER"};
static const char *const appointment_kinds[] = {"SUBSTANTIVE", "INTERIM", "ACTING", "SECONDMENT"};
static const char *const end_reasons[] = {"LEFT_POST", "LEFT_NHS"};
static const char *const outcomes[] = {"FILLED", "WITHDRAWN"};
static const char *const ratings[] = {"LOW", "MEDIUM", "HIGH"};
static const char *const fit_and_proper[] = {"CONFIRMED", "NOT_CONFIRMED", "FAILED"};
static const char *const readiness_names[] = {"READY_NOW", "READY_1_2_YEARS", "READY_3_PLUS_YEARS"};
static const char *const kind_names[SIM_KIND_COUNT] = {"ACUTE_TRUST",
                                                       "MENTAL_HEALTH_TRUST",
                                                       "COMMUNITY_TRUST",
                                                       "AMBULANCE_TRUST",
                                                       "SPECIALIST_TRUST",
                                                       "CCG",
                                                       "ICB"};
static const char *const region_names[SIM_REGION_COUNT] = {
    "LONDON",    "SOUTH_EAST",      "SOUTH_WEST",
    "MIDLANDS",  "EAST_OF_ENGLAND", "NORTH_EAST_AND_YORKSHIRE",
    "NORTH_WEST"};

static int by_delivery(const void *a, const void *b)
{
    const sim_event_t *x = a, *y = b;
    if (x->delivered != y->delivered)
        return x->delivered < y->delivered ? -1 : 1;
    return x->number < y->number ? -1 : x->number > y->number;
}

/* Numbers the events in order of occurrence, then delays one in a hundred
 * by a day to a month in the file. */
static void order_events(sim_world_t *w)
{
    sim_rng_t r = sim_rng_stream(w->seed, SIM_STREAM_LATE);
    qsort(w->events, w->event_count, sizeof *w->events, by_delivery); /* delivered == at */
    for (size_t i = 0; i < w->event_count; i++) {
        w->events[i].number = (uint32_t)i + 1;
        if (sim_rng_chance(&r, 0.01))
            w->events[i].delivered += sim_rng_range(&r, SIM_DAY, 30 * SIM_DAY);
    }
    qsort(w->events, w->event_count, sizeof *w->events, by_delivery);
}

enum { FLAW_NONE, FLAW_EMPTY_ID, FLAW_UNSPECIFIED, FLAW_BAD_DATE };

static void post_text(const sim_world_t *w, int32_t post, char *buf, size_t size)
{
    const sim_post_t *p = &w->posts[post];
    snprintf(buf, size, "%s-%s", w->orgs[p->org].code, sim_roles[p->role].suffix);
}

/* The date ("" for none), or 30 February of its year for a flawed line. */
static void date_text(date_days_t day, bool flawed, char buf[DATE_TEXT_SIZE])
{
    buf[0] = '\0';
    if (day != DATE_NONE)
        datetime_format_date(day, buf);
    if (day != DATE_NONE && flawed)
        memcpy(buf + 5, "02-30", 5);
}

/* The members of e's event member, in the order of the scenarios. */
static int format_body(const sim_world_t *w, const sim_event_t *e, int flaw, char *buf, size_t size)
{
    char post[32] = "", person[16], date[DATE_TEXT_SIZE], end[DATE_TEXT_SIZE];
    const char *no = flaw == FLAW_UNSPECIFIED ? "UNSPECIFIED" : NULL, *end_key = ",\"endDate\":\"";
    const uint8_t *rt = e->rating;
    if (e->post >= 0)
        post_text(w, e->post, post, sizeof post);
    snprintf(person, sizeof person, "P%05" PRId32, e->person + 1);
    date_text(e->date, flaw == FLAW_BAD_DATE, date);
    date_text(e->end_date, false, end);
    switch (e->kind) {
    case SIM_EV_NOTICE_GIVEN:
        return snprintf(buf, size,
                        "\"postId\":\"%s\",\"personId\":\"%s\",\"reason\":\"LEAVING_REASON_%s\","
                        "\"leavingDate\":\"%s\"",
                        post, person, no ? no : leaving_reasons[e->code], date);
    case SIM_EV_VACANCY_OPENED:
        return snprintf(buf, size,
                        "\"vacancyId\":\"VAC-%06" PRId32 "\",\"postId\":\"%s\",\"reason\":"
                        "\"LEAVING_REASON_%s\",\"vacantFrom\":\"%s\"",
                        e->ref, post, no ? no : leaving_reasons[e->code], date);
    case SIM_EV_VACANCY_CLOSED:
        return snprintf(buf, size,
                        "\"vacancyId\":\"VAC-%06" PRId32
                        "\",\"postId\":\"%s\",\"outcome\":\"VACANCY_OUTCOME_%s\"",
                        e->ref, post, no ? no : outcomes[e->code]);
    case SIM_EV_APPOINTED:
        return snprintf(buf, size,
                        "\"appointmentId\":\"APT-%06" PRId32 "\",\"postId\":\"%s\",\"personId\":"
                        "\"%s\",\"kind\":\"APPOINTMENT_KIND_%s\",\"startDate\":\"%s\"%s%s%s",
                        e->ref, post, person, no ? no : appointment_kinds[e->code], date,
                        *end ? end_key : "", end, *end ? "\"" : "");
    case SIM_EV_APPOINTMENT_ENDED:
        return snprintf(buf, size,
                        "\"appointmentId\":\"APT-%06" PRId32 "\",\"postId\":\"%s\",\"personId\":"
                        "\"%s\",\"endDate\":\"%s\",\"reason\":\"END_REASON_%s\"",
                        e->ref, post, person, date, no ? no : end_reasons[e->code]);
    case SIM_EV_TALENT_REVIEW:
        return snprintf(buf, size,
                        "\"personId\":\"%s\",\"reviewDate\":\"%s\",\"performance\":\"RATING_%s\","
                        "\"potential\":\"RATING_%s\",\"riskOfLoss\":\"RATING_%s\",\"impactOfLoss\":"
                        "\"RATING_%s\",\"fitAndProper\":\"FIT_AND_PROPER_%s\"",
                        person, date, no ? no : ratings[rt[0]], ratings[rt[1]], ratings[rt[2]],
                        ratings[rt[3]], fit_and_proper[rt[4]]);
    case SIM_EV_SUCCESSOR_NOMINATED:
        return snprintf(buf, size,
                        "\"postId\":\"%s\",\"personId\":\"%s\",\"readiness\":\"READINESS_%s\","
                        "\"emergencyCover\":%s,\"assessedOn\":\"%s\"",
                        post, person, no ? no : readiness_names[e->code],
                        e->flag ? "true" : "false", date);
    default: /* noticeWithdrawn, successorWithdrawn */
        return snprintf(buf, size, "\"postId\":\"%s\",\"personId\":\"%s\"", post, person);
    }
}

/* One JSON line (with its newline) into buf; returns its length. */
static size_t format_event(const sim_world_t *w, const sim_event_t *e, int flaw, uint32_t number,
                           char *buf, size_t size)
{
    static const char *const topics[] = {"vacancy", "appointment", "appraisal"};
    static const char *const sources[] = {"trust-hr", "esr", "talent-review"};
    int topic = e->kind <= SIM_EV_VACANCY_CLOSED ? 0 : e->kind <= SIM_EV_APPOINTMENT_ENDED ? 1 : 2;
    char id[48] = "", at[INSTANT_TEXT_SIZE];
    if (flaw != FLAW_EMPTY_ID)
        snprintf(id, sizeof id, "gen-%" PRIu64 "-%" PRIu32, w->seed, number);
    datetime_format_instant(e->at, 0, at);
    int n = snprintf(buf, size,
                     "{\"topic\":\"%s\",\"header\":{\"eventId\":\"%s\",\"occurredAt\":\"%s\","
                     "\"source\":\"%s\"},\"%s\":{",
                     topics[topic], id, at, sources[topic], ev_members[e->kind]);
    n += format_body(w, e, flaw, buf + n, size - (size_t)n);
    n += snprintf(buf + n, size - (size_t)n, "}}\n");
    return (size_t)n;
}

/* The flaw of a broken copy of e, taking turns among those its fields allow. */
static int flaw_for(const sim_event_t *e, unsigned turn)
{
    bool has_enum = e->kind != SIM_EV_NOTICE_WITHDRAWN && e->kind != SIM_EV_SUCCESSOR_WITHDRAWN;
    bool has_date = has_enum && e->kind != SIM_EV_VACANCY_CLOSED;
    int flaw = FLAW_EMPTY_ID + (int)(turn % 3);
    if (flaw == FLAW_BAD_DATE && !has_date)
        flaw = FLAW_UNSPECIFIED;
    return flaw == FLAW_UNSPECIFIED && !has_enum ? FLAW_EMPTY_ID : flaw;
}

/* Writes events.jsonl with its repeats and broken lines, counted in
 * *lines. Returns 0, or the errno of the write that failed. */
static int write_events(const sim_world_t *w, FILE *f, long *lines)
{
    sim_rng_t r = sim_rng_stream(w->seed, SIM_STREAM_NOISE);
    char line[SIM_LINE_SIZE];
    uint32_t extra = (uint32_t)w->event_count;
    unsigned broken = 0;
    for (size_t i = 0; i < w->event_count; i++) {
        const sim_event_t *e = &w->events[i];
        size_t len = format_event(w, e, FLAW_NONE, e->number, line, sizeof line);
        if (fwrite(line, 1, len, f) != len)
            return errno ? errno : EIO;
        ++*lines;
        if (i > 0 && sim_rng_chance(&r, 0.01)) {
            e = &w->events[i - (size_t)sim_rng_range(&r, 1, i < SIM_RECENT ? (int)i : SIM_RECENT)];
            len = format_event(w, e, FLAW_NONE, e->number, line, sizeof line);
        } else if (sim_rng_chance(&r, 0.001)) {
            int flaw = flaw_for(e, broken++);
            len = format_event(w, e, flaw, flaw == FLAW_EMPTY_ID ? 0 : ++extra, line, sizeof line);
        } else {
            continue;
        }
        if (fwrite(line, 1, len, f) != len)
            return errno ? errno : EIO;
        ++*lines;
    }
    return 0;
}

/* text as a CSV field in buf (at least 2 * strlen(text) + 3 bytes): quoted,
 * with quotes doubled, when it holds a comma, quote or line break (RFC 4180). */
static void csv_field(const char *text, char *buf)
{
    size_t n = 0;
    bool quote = strpbrk(text, ",\"\r\n") != NULL;
    if (quote)
        buf[n++] = '"';
    for (const char *c = text; *c; c++) {
        if (*c == '"')
            buf[n++] = '"';
        buf[n++] = *c;
    }
    if (quote)
        buf[n++] = '"';
    buf[n] = '\0';
}

static int write_organisations(const sim_world_t *w, FILE *f, long *lines)
{
    if (fputs("ods_code,name,kind,region\n", f) == EOF)
        return errno ? errno : EIO;
    for (int i = 0; i < w->org_count; i++, ++*lines) {
        const sim_org_t *o = &w->orgs[i];
        char name[2 * sizeof o->name + 3];
        csv_field(o->name, name);
        if (fprintf(f, "%s,%s,%s,%s\n", o->code, name, kind_names[o->kind],
                    region_names[o->region]) < 0)
            return errno ? errno : EIO;
    }
    return 0;
}

static int write_posts(const sim_world_t *w, FILE *f, long *lines)
{
    if (fputs("post_id,ods_code,role,top200\n", f) == EOF)
        return errno ? errno : EIO;
    for (int i = 0; i < w->post_count; i++, ++*lines) {
        const sim_post_t *p = &w->posts[i];
        char id[32];
        post_text(w, i, id, sizeof id);
        if (fprintf(f, "%s,%s,%s,%s\n", id, w->orgs[p->org].code, sim_roles[p->role].name,
                    p->designated ? "yes" : "no") < 0)
            return errno ? errno : EIO;
    }
    return 0;
}

/* Creates dir/name with writer. Returns 0, or -1 with "path: reason" in
 * errstr. */
static int write_file(const sim_world_t *w, const char *dir, const char *name,
                      int (*writer)(const sim_world_t *, FILE *, long *), long *lines, char *errstr,
                      size_t errstr_size)
{
    char path[SIM_PATH_SIZE];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        snprintf(errstr, errstr_size, "%s/%s: %s", dir, name, strerror(ENAMETOOLONG));
        return -1;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return -1;
    }
    errno = 0;
    int err = writer(w, f, lines);
    if (!err && fflush(f) != 0)
        err = errno ? errno : EIO;
    if (fclose(f) != 0 && !err)
        err = errno ? errno : EIO;
    if (err)
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(err));
    return err ? -1 : 0;
}

/* mkdir dir unless it is a folder already. Returns 0, or -1 with errno. */
static int make_dir(const char *dir)
{
    struct stat st;
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return -1;
    if (stat(dir, &st) != 0)
        return -1;
    errno = ENOTDIR;
    return S_ISDIR(st.st_mode) ? 0 : -1;
}

/* Writes the three files of w into dir, made if need be, counting their
 * rows and lines in *summary. Returns 0, or -1 with the reason in errstr. */
static int write_files(const sim_world_t *w, const char *dir, sim_summary_t *summary, char *errstr,
                       size_t errstr_size)
{
    if (make_dir(dir)) {
        snprintf(errstr, errstr_size, "%s: %s", dir, strerror(errno));
        return -1;
    }
    summary->designated = w->designated;
    if (write_file(w, dir, "organisations.csv", write_organisations, &summary->organisations,
                   errstr, errstr_size) ||
        write_file(w, dir, "posts.csv", write_posts, &summary->posts, errstr, errstr_size) ||
        write_file(w, dir, "events.jsonl", write_events, &summary->events, errstr, errstr_size))
        return -1;
    return 0;
}

int sim_write_example(const sim_options_t *o, sim_summary_t *summary, char *errstr,
                      size_t errstr_size)
{
    sim_world_t w;
    int rc = -1;
    *summary = (sim_summary_t){0};
    if (sim_world_init(&w, o) || sim_world_build(&w, (long)o->events)) {
        snprintf(errstr, errstr_size, "out of memory");
    } else {
        order_events(&w);
        rc = write_files(&w, o->out, summary, errstr, errstr_size);
    }
    sim_world_free(&w);
    return rc;
}
