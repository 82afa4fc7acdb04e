/* programme: the programme's view of the designated posts. Person ids become
 * numbers by sorting every (person, post) nomination; the nominations then
 * form a graph from posts to persons, stored by post, from which each
 * group's figures and cover (a maximum matching) are taken. */
#include "programme.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "matching.h"

#define UNNUMBERED SIZE_MAX

/* A post or a person filed under a name: a nomination (person id, post) or
 * a post under its region or role. */
typedef struct filed {
    const char *name;
    size_t post;
    size_t person; /* the person's number, for a nomination */
} filed_t;

/* The designated posts as a graph, with room for one group's subgraph. */
typedef struct world {
    const programme_post_t *posts;
    size_t count;
    size_t *offsets;     /* count + 1: post i's persons are persons[offsets[i]..offsets[i+1]) */
    size_t *persons;     /* the persons' numbers, by post */
    size_t person_count; /* persons numbered 0..person_count-1 */
    const char **ids;    /* each person's id, by number */
    int *ready_for;      /* how many designated posts each person is ready now for */
    size_t *local;       /* a person's number within the group, or UNNUMBERED */
    size_t *sub_offsets; /* count + 1: the group's graph, as offsets and persons */
    size_t *sub_persons;
    size_t *members; /* the group's posts */
    filed_t *filed;  /* the nominations, then the posts under a name */
} world_t;

/* calloc of n elements, at least one, so that empty input is not mistaken for
 * running out of memory. */
static void *programme_alloc(size_t n, size_t size)
{
    return calloc(n ? n : 1, size);
}

static int filed_compare(const void *a, const void *b)
{
    const filed_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c != 0)
        return c;
    return (x->post > y->post) - (x->post < y->post);
}

static void world_free(world_t *w)
{
    free(w->offsets);
    free(w->persons);
    free(w->ids);
    free(w->ready_for);
    free(w->local);
    free(w->sub_offsets);
    free(w->sub_persons);
    free(w->members);
    free(w->filed);
}

/* Numbers the persons of w->filed[0..n-1] (sorted nominations), counts the
 * posts each is ready now for, and drops a repeated (person, post); returns
 * how many nominations are left, packed at the front of w->filed. */
static size_t world_number_persons(world_t *w, size_t n)
{
    size_t kept = 0;
    for (size_t k = 0; k < n; k++) {
        filed_t f = w->filed[k];
        const filed_t *last = kept ? &w->filed[kept - 1] : NULL;
        if (last && strcmp(last->name, f.name) == 0) {
            if (last->post == f.post)
                continue;
            f.person = last->person;
        } else {
            f.person = w->person_count++;
            w->ids[f.person] = f.name;
        }
        w->ready_for[f.person]++;
        w->filed[kept++] = f;
    }
    return kept;
}

/* Stores the nominations w->filed[0..n-1] by post, as offsets and persons. */
static void world_store_by_post(world_t *w, size_t n)
{
    for (size_t k = 0; k < n; k++)
        w->offsets[w->filed[k].post + 1]++;
    for (size_t i = 0; i < w->count; i++)
        w->offsets[i + 1] += w->offsets[i];
    size_t *cursor = w->sub_offsets;
    memcpy(cursor, w->offsets, w->count * sizeof *cursor);
    for (size_t k = 0; k < n; k++)
        w->persons[cursor[w->filed[k].post]++] = w->filed[k].person;
}

/* Builds the graph of posts[0..count-1] into w (zeroed); 0, or -1 when out of
 * memory. */
static int world_build(world_t *w, const programme_post_t *posts, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += posts[i].ready_now_id_count;
    w->posts = posts;
    w->count = count;
    w->offsets = programme_alloc(count + 1, sizeof *w->offsets);
    w->persons = programme_alloc(n, sizeof *w->persons);
    w->ids = programme_alloc(n, sizeof *w->ids);
    w->ready_for = programme_alloc(n, sizeof *w->ready_for);
    w->local = programme_alloc(n, sizeof *w->local);
    w->sub_offsets = programme_alloc(count + 1, sizeof *w->sub_offsets);
    w->sub_persons = programme_alloc(n, sizeof *w->sub_persons);
    w->members = programme_alloc(count, sizeof *w->members);
    w->filed = programme_alloc(n > count ? n : count, sizeof *w->filed);
    if (!w->offsets || !w->persons || !w->ids || !w->ready_for || !w->local || !w->sub_offsets ||
        !w->sub_persons || !w->members || !w->filed)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < count; i++)
        for (size_t j = 0; j < posts[i].ready_now_id_count; j++)
            w->filed[k++] = (filed_t){posts[i].ready_now_ids[j], i, 0};
    qsort(w->filed, n, sizeof *w->filed, filed_compare);
    n = world_number_persons(w, n);
    world_store_by_post(w, n);
    for (size_t p = 0; p < w->person_count; p++)
        w->local[p] = UNNUMBERED;
    return 0;
}

/* Whether post i is covered, and only by shared successors. */
static bool world_contended(const world_t *w, size_t i)
{
    if (w->offsets[i] == w->offsets[i + 1])
        return false;
    for (size_t e = w->offsets[i]; e < w->offsets[i + 1]; e++)
        if (w->ready_for[w->persons[e]] < 2)
            return false;
    return true;
}

/* total / n rounded to 1 / scale, halves away from zero; total * scale is
 * an integer, so a true half is not lost to a prior rounding. */
static double programme_decimal(double total, size_t n, double scale)
{
    return round(total * scale / (double)n) / scale;
}

/* The group's figures that need no matching, over posts w->members[0..n-1]. */
static void group_count(const world_t *w, size_t n, programme_group_t *g)
{
    double ready_now = 0, pipeline = 0;
    for (size_t k = 0; k < n; k++) {
        const programme_post_t *p = &w->posts[w->members[k]];
        g->designated++;
        if (p->at_risk) {
            g->at_risk++;
            g->critical += p->severity == SUCCESSION__V1__SEVERITY__SEVERITY_CRITICAL;
            g->high += p->severity == SUCCESSION__V1__SEVERITY__SEVERITY_HIGH;
            g->medium += p->severity == SUCCESSION__V1__SEVERITY__SEVERITY_MEDIUM;
        }
        g->covered += p->ready_now >= 1;
        g->contended_posts += world_contended(w, w->members[k]);
        ready_now += p->ready_now;
        pipeline += p->pipeline;
    }
    if (n == 0)
        return;
    g->percent_covered = programme_decimal(100.0 * g->covered, n, 10);
    g->mean_ready_now = programme_decimal(ready_now, n, 100);
    g->mean_pipeline = programme_decimal(pipeline, n, 100);
}

/* The group's shared successors and simultaneous cover, over posts
 * w->members[0..n-1]: its persons are numbered afresh so that the matching
 * sees only them. 0, or -1 when out of memory. */
static int group_cover(world_t *w, size_t n, programme_group_t *g)
{
    size_t right = 0, edges = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = w->members[k];
        w->sub_offsets[k] = edges;
        for (size_t e = w->offsets[i]; e < w->offsets[i + 1]; e++) {
            size_t person = w->persons[e];
            if (w->local[person] == UNNUMBERED) {
                w->local[person] = right++;
                g->shared_successors += w->ready_for[person] >= 2;
            }
            w->sub_persons[edges++] = w->local[person];
        }
    }
    w->sub_offsets[n] = edges;
    for (size_t k = 0; k < n; k++)
        for (size_t e = w->offsets[w->members[k]]; e < w->offsets[w->members[k] + 1]; e++)
            w->local[w->persons[e]] = UNNUMBERED;
    long cover = matching_maximum(n, right, w->sub_offsets, w->sub_persons, NULL);
    if (cover < 0)
        return -1;
    g->simultaneous_cover = (int)cover;
    return 0;
}

/* Appends to out the group keyed prefix + name of posts w->members[0..n-1];
 * 0, or -1 when out of memory. */
static int programme_add_group(programme_t *out, world_t *w, const char *prefix, const char *name,
                               size_t n)
{
    size_t size = strlen(prefix) + strlen(name) + 1;
    char *key = malloc(size);
    if (!key)
        return -1;
    snprintf(key, size, "%s%s", prefix, name);
    programme_group_t *g = &out->groups[out->group_count++];
    g->key = key;
    group_count(w, n, g);
    return group_cover(w, n, g);
}

static const char *post_region(const programme_post_t *p)
{
    return p->region;
}

static const char *post_role(const programme_post_t *p)
{
    return p->role;
}

/* Appends a group keyed prefix + name for each name that name_of gives a
 * post, by name; 0, or -1 when out of memory. */
static int programme_add_groups(programme_t *out, world_t *w, const char *prefix,
                                const char *(*name_of)(const programme_post_t *))
{
    for (size_t i = 0; i < w->count; i++)
        w->filed[i] = (filed_t){name_of(&w->posts[i]), i, 0};
    qsort(w->filed, w->count, sizeof *w->filed, filed_compare);
    for (size_t start = 0, end; start < w->count; start = end) {
        const char *name = w->filed[start].name;
        for (end = start; end < w->count && strcmp(w->filed[end].name, name) == 0; end++)
            w->members[end - start] = w->filed[end].post;
        if (programme_add_group(out, w, prefix, name, end - start) != 0)
            return -1;
    }
    return 0;
}

static int sharer_compare(const void *a, const void *b)
{
    const programme_sharer_t *x = a, *y = b;
    if (x->posts != y->posts)
        return x->posts > y->posts ? -1 : 1;
    return strcmp(x->person_id, y->person_id);
}

/* Lists the shared successors of w into out; 0, or -1 when out of memory. */
static int programme_list_sharers(programme_t *out, const world_t *w)
{
    size_t n = 0;
    for (size_t p = 0; p < w->person_count; p++)
        n += w->ready_for[p] >= 2;
    out->sharers = programme_alloc(n, sizeof *out->sharers);
    if (!out->sharers)
        return -1;
    for (size_t p = 0; p < w->person_count; p++)
        if (w->ready_for[p] >= 2)
            out->sharers[out->sharer_count++] = (programme_sharer_t){w->ids[p], w->ready_for[p]};
    qsort(out->sharers, n, sizeof *out->sharers, sharer_compare);
    return 0;
}

static int id_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Lists the contended posts of w into out; 0, or -1 when out of memory. */
static int programme_list_contended(programme_t *out, const world_t *w)
{
    out->contended = programme_alloc(w->count, sizeof *out->contended);
    if (!out->contended)
        return -1;
    for (size_t i = 0; i < w->count; i++)
        if (world_contended(w, i))
            out->contended[out->contended_count++] = w->posts[i].post_id;
    qsort(out->contended, out->contended_count, sizeof *out->contended, id_compare);
    return 0;
}

int programme_build(const programme_post_t *posts, size_t count, programme_t *out)
{
    world_t w = {0};
    *out = (programme_t){0};
    int rc = world_build(&w, posts, count);
    if (rc == 0) {
        /* national, then at most one group per post for each of region and role */
        out->groups = programme_alloc(1 + 2 * count, sizeof *out->groups);
        rc = out->groups ? 0 : -1;
    }
    if (rc == 0) {
        for (size_t i = 0; i < count; i++)
            w.members[i] = i;
        rc = programme_add_group(out, &w, "", "national", count);
    }
    if (rc == 0)
        rc = programme_add_groups(out, &w, "region:", post_region);
    if (rc == 0)
        rc = programme_add_groups(out, &w, "role:", post_role);
    if (rc == 0)
        rc = programme_list_sharers(out, &w);
    if (rc == 0)
        rc = programme_list_contended(out, &w);
    world_free(&w);
    if (rc != 0)
        programme_free(out);
    return rc;
}

void programme_free(programme_t *p)
{
    for (size_t i = 0; i < p->group_count; i++)
        free(p->groups[i].key);
    free(p->groups);
    free(p->sharers);
    free(p->contended);
    *p = (programme_t){0};
}

void programme_summary(Succession__V1__ProgrammeSummary *s, const programme_group_t *g)
{
    s->key = g->key;
    s->designated = g->designated;
    s->at_risk = g->at_risk;
    s->critical = g->critical;
    s->high = g->high;
    s->medium = g->medium;
    s->covered = g->covered;
    s->percent_covered = g->percent_covered;
    s->mean_ready_now = g->mean_ready_now;
    s->mean_pipeline = g->mean_pipeline;
    s->shared_successors = g->shared_successors;
    s->contended_posts = g->contended_posts;
    s->simultaneous_cover = g->simultaneous_cover;
}

/* Weakest first (programme_rank_candidates). */
static int candidate_compare(const void *a, const void *b)
{
    const programme_candidate_t *x = a, *y = b;
    if (x->at_risk != y->at_risk)
        return x->at_risk ? -1 : 1;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    if (x->ready_now != y->ready_now)
        return x->ready_now < y->ready_now ? -1 : 1;
    if (x->pipeline != y->pipeline)
        return x->pipeline < y->pipeline ? -1 : 1;
    return strcmp(x->post_id, y->post_id);
}

void programme_rank_candidates(programme_candidate_t *candidates, size_t count)
{
    if (count > 0)
        qsort(candidates, count, sizeof *candidates, candidate_compare);
}
