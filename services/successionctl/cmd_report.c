/* successionctl report: the programme's view of the designated posts
 * (DOMAIN.md, "The programme's view"), computed from their pictures as the
 * alert publisher computes what it publishes: bench strength nationally, by
 * region and by role, with simultaneous cover beside covered; the most
 * shared successors; the contended posts. --json writes the summaries as
 * the publisher would (ProgrammeSummary, national first), one per line;
 * --published reads what was published instead: every message of the
 * summary topic, in order, one per line (the last of each key is current). */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "ctl.h"
#include "pbjson.h"
#include "show.h"
#include "summary.h"
#include "topic_reader.h"

#define TOP_SHARED 10

static void print_group_header(const char *title)
{
    printf("\n%-32s %5s %5s %4s %4s %4s %7s %7s %5s %6s %9s %6s %8s\n", title, "POSTS", "RISK",
           "CRIT", "HIGH", "MED", "COVERED", "AT-ONCE", "TWICE", "SHARED", "CONTENDED", "READY",
           "PIPELINE");
}

static void print_group(const programme_group_t *g)
{
    char key[64];
    printf("%-32s %5d %5d %4d %4d %4d %7d %7d %5d %6d %9d %6.2f %8.2f\n",
           ctl_shown(g->key, strlen(g->key), key, sizeof key), g->designated, g->at_risk,
           g->critical, g->high, g->medium, g->covered, g->simultaneous_cover,
           g->covered - g->simultaneous_cover, g->shared_successors, g->contended_posts,
           g->mean_ready_now, g->mean_pipeline);
}

/* The groups whose key starts with prefix, under a header. */
static void print_groups(const programme_t *v, const char *title, const char *prefix)
{
    print_group_header(title);
    for (size_t i = 0; i < v->group_count; i++)
        if (strncmp(v->groups[i].key, prefix, strlen(prefix)) == 0)
            print_group(&v->groups[i]);
}

static void print_text(const programme_t *v)
{
    printf("Programme view of the designated posts. AT-ONCE is simultaneous cover: the most\n"
           "posts that could be filled at the same time, each by a different ready-now\n"
           "successor; TWICE is cover counted twice (COVERED - AT-ONCE).\n");
    print_groups(v, "NATIONAL", "national");
    print_groups(v, "REGION", "region:");
    print_groups(v, "ROLE", "role:");
    printf("\nMost shared successors (eligible ready now for two or more designated posts): %zu\n",
           v->sharer_count);
    for (size_t i = 0; i < v->sharer_count && i < TOP_SHARED; i++) {
        char id[80];
        const char *p = v->sharers[i].person_id;
        printf("  %-24s %d posts\n", ctl_shown(p, strlen(p), id, sizeof id), v->sharers[i].posts);
    }
    printf("\nContended posts (covered only by shared successors): %zu\n", v->contended_count);
    for (size_t i = 0; i < v->contended_count; i++) {
        char id[80];
        printf("  %s\n", ctl_shown(v->contended[i], strlen(v->contended[i]), id, sizeof id));
    }
}

/* The summaries with their trends, national first, as JSON Lines. */
static int print_json(db_t *db, const programme_t *v)
{
    summary_set_t set;
    char err[512];
    db_status_t st =
        summary_build(db, v->groups, v->group_count, datetime_today(), &set, err, sizeof err);
    if (st != DB_OK)
        ctl_error("report", "%s", err);
    for (size_t i = 0; st == DB_OK && i < set.count; i++)
        if (show_json_line(pbjson_encode(&set.msgs[i].base))) {
            ctl_error("report", "out of memory writing JSON");
            st = DB_FAULT;
        }
    summary_set_free(&set);
    return st == DB_OK ? 0 : 1;
}

/* Shows one message of the summary topic as a JSON line. */
static void visit_summary(const rd_kafka_message_t *m, void *arg)
{
    Succession__V1__ProgrammeSummary *s =
        succession__v1__programme_summary__unpack(NULL, m->len, m->payload);
    if (!s) {
        ctl_error("report", "[%d] @%lld cannot be decoded", (int)m->partition,
                  (long long)m->offset);
        return;
    }
    show_json_line(pbjson_encode(&s->base));
    succession__v1__programme_summary__free_unpacked(s, NULL);
}

/* Every summary published so far. */
static int print_published(ctl_t *ctl)
{
    char err[512], topic[256];
    config_topic(&ctl->cfg, TOPIC_PROGRAMME, topic, sizeof topic);
    reader_t *reader = reader_new(&ctl->cfg, "report", topic, err, sizeof err);
    int rc = reader ? reader_read(reader, visit_summary, NULL, err, sizeof err) : 2;
    if (rc)
        ctl_error("report", "%s", err);
    reader_free(reader);
    return rc ? (reader ? 1 : 2) : 0;
}

int cmd_report(ctl_t *ctl, int argc, char **argv)
{
    bool json = argc == 2 && strcmp(argv[1], "--json") == 0,
         published = argc == 2 && strcmp(argv[1], "--published") == 0;
    if (argc > 2 || (argc == 2 && !json && !published)) {
        ctl_error("report", "usage: report [--json | --published]");
        return 2;
    }
    if (published)
        return print_published(ctl);
    db_t *db = ctl_db(ctl, "report");
    if (!db)
        return 1;
    summary_world_t w;
    char err[512];
    int rc = 1;
    if (summary_load(db, &w, err, sizeof err) != DB_OK) {
        ctl_error("report", "%s", err);
    } else if (json) {
        rc = print_json(db, &w.view);
    } else {
        print_text(&w.view);
        rc = 0;
    }
    summary_world_free(&w);
    return rc;
}
