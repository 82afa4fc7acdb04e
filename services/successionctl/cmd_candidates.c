/* successionctl candidates: which registered posts outside the designated
 * 200 are weakest (DOMAIN.md, "Candidates for designation"). Each is judged
 * on demand by the same rules as if it were designated, nothing is recorded,
 * and they are ranked: at risk first, then severity, then ready now and
 * pipeline ascending, then post id. --json writes each post's picture
 * (PostStatus, with designated false) in rank order, one per line. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "evaluate.h"
#include "pbjson.h"
#include "programme.h"
#include "show.h"

#define DEFAULT_LIMIT 20

/* One judged post: what ranks it, and what is printed of it. */
typedef struct candidate {
    programme_candidate_t rank; /* rank.post_id points at post_id */
    char *post_id, *organisation, *region, *role, *reasons, *json;
} candidate_t;

typedef struct candidates {
    candidate_t *items; /* in post id order, as judged */
    size_t count, cap;
    bool json;
} candidates_t;

/* Keeps what is needed of one judged post (evaluate_each_fn). */
static int keep(const Succession__V1__PostStatus *st, void *arg)
{
    candidates_t *c = arg;
    if (c->count == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 256;
        candidate_t *more = realloc(c->items, cap * sizeof *more);
        if (!more)
            return -1;
        c->items = more, c->cap = cap;
    }
    candidate_t *k = &c->items[c->count];
    char reasons[512];
    json_t *j = c->json ? pbjson_encode(&st->base) : NULL;
    *k = (candidate_t){
        .post_id = strdup(st->post_id),
        .organisation = strdup(st->organisation_name),
        .region = strdup(st->region),
        .role = strdup(st->role),
        .reasons = strdup(show_reasons(st->reasons, st->n_reasons, reasons, sizeof reasons)),
        .json = j ? json_dumps(j, PBJSON_DUMP_FLAGS) : NULL};
    json_decref(j);
    k->rank =
        (programme_candidate_t){k->post_id, st->at_risk, st->severity, st->ready_now, st->pipeline};
    c->count++;
    return k->post_id && k->organisation && k->region && k->role && k->reasons &&
                   (!c->json || k->json)
               ? 0
               : -1;
}

static int by_post_id(const void *key, const void *item)
{
    return strcmp(key, ((const candidate_t *)item)->post_id);
}

static void print_row(size_t rank, const candidate_t *k)
{
    char post[80], org[80];
    printf("%4zu  %-10s %-16s %-32s %-24s %-23s %5d %8d  %s\n", rank,
           show_enum(&succession__v1__severity__descriptor, k->rank.severity, 9),
           ctl_shown(k->post_id, strlen(k->post_id), post, sizeof post),
           ctl_shown(k->organisation, strlen(k->organisation), org, sizeof org), k->region, k->role,
           k->rank.ready_now, k->rank.pipeline, k->reasons[0] ? k->reasons : "-");
}

/* Ranks the candidates and prints the first limit (0: all). */
static void print_ranked(const candidates_t *c, size_t limit)
{
    programme_candidate_t *order = malloc((c->count ? c->count : 1) * sizeof *order);
    if (!order) {
        ctl_error("candidates", "out of memory");
        return;
    }
    for (size_t i = 0; i < c->count; i++)
        order[i] = c->items[i].rank;
    programme_rank_candidates(order, c->count);
    size_t shown = limit && limit < c->count ? limit : c->count;
    if (!c->json)
        printf("%4s  %-10s %-16s %-32s %-24s %-23s %5s %8s  %s\n", "RANK", "SEVERITY", "POST",
               "ORGANISATION", "REGION", "ROLE", "READY", "PIPELINE", "REASONS");
    for (size_t i = 0; i < shown; i++) {
        const candidate_t *k =
            bsearch(order[i].post_id, c->items, c->count, sizeof *c->items, by_post_id);
        if (c->json)
            puts(k->json);
        else
            print_row(i + 1, k);
    }
    if (!c->json)
        printf("%zu of %zu registered posts outside the designated ones\n", shown, c->count);
    free(order);
}

static void free_candidates(candidates_t *c)
{
    for (size_t i = 0; i < c->count; i++) {
        candidate_t *k = &c->items[i];
        free(k->post_id), free(k->organisation), free(k->region), free(k->role);
        free(k->reasons), free(k->json);
    }
    free(c->items);
}

/* Reads [--limit N] [--json]. Returns 0 or -1. */
static int parse(int argc, char **argv, size_t *limit, bool *json)
{
    for (int i = 1; i < argc; i++) {
        char *end;
        if (strcmp(argv[i], "--json") == 0) {
            *json = true;
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc && argv[i + 1][0] >= '0' &&
                   argv[i + 1][0] <= '9') {
            *limit = strtoul(argv[++i], &end, 10);
            if (*end)
                return -1;
        } else {
            return -1;
        }
    }
    return 0;
}

int cmd_candidates(ctl_t *ctl, int argc, char **argv)
{
    size_t limit = DEFAULT_LIMIT;
    candidates_t c = {0};
    if (parse(argc, argv, &limit, &c.json)) {
        ctl_error("candidates", "usage: candidates [--limit N (0: all; %d)] [--json]",
                  DEFAULT_LIMIT);
        return 2;
    }
    db_t *db = ctl_db(ctl, "candidates");
    if (!db)
        return 1;
    char err[512];
    int rc = 0;
    if (evaluate_candidates(db, keep, &c, err, sizeof err) != DB_OK) {
        ctl_error("candidates", "%s", err);
        rc = 1;
    } else {
        print_ranked(&c, limit);
    }
    free_candidates(&c);
    return rc;
}
