/* programme: the programme's view of the designated posts (DOMAIN.md, "The
 * programme's view"): shared successors, contended posts, simultaneous cover
 * (a maximum matching between posts and people) and bench strength by
 * nation, region and role; and the order of candidates for designation.
 * Pure: the caller gathers each post's judged picture. */
#ifndef SUCCESSION_PROGRAMME_H
#define SUCCESSION_PROGRAMME_H

#include <stdbool.h>
#include <stddef.h>

#include "succession/v1/outputs.pb-c.h"

/* One designated post as judged (its PostStatus). Strings are borrowed and
 * not NULL. covered and the means read ready_now and pipeline; shared
 * successors, contended posts and cover read ready_now_ids. */
typedef struct programme_post {
    const char *post_id;
    const char *region;
    const char *role;
    bool at_risk;
    Succession__V1__Severity severity;
    int ready_now; /* eligible ready-now successors */
    int pipeline;  /* ready_now + ready_soon */
    /* The person ids of the eligible ready-now successors (ready_now of
     * them, each once; a repeated id counts once). */
    const char *const *ready_now_ids;
    size_t ready_now_id_count;
} programme_post_t;

/* The bench strength of one group of designated posts. */
typedef struct programme_group {
    char *key; /* "national", "region:<REGION>" or "role:<ROLE>"; owned */
    int designated, at_risk, critical, high, medium;
    int covered;            /* posts with ready_now >= 1 */
    double percent_covered; /* 100 * covered / designated, one decimal; 0 when empty */
    double mean_ready_now;  /* per post, two decimals; 0 when empty */
    double mean_pipeline;   /* per post, two decimals; 0 when empty */
    int shared_successors;  /* shared successors with a ready-now nomination here */
    int contended_posts;    /* posts here with ready-now successors, all of them shared */
    int simultaneous_cover; /* maximum matching within the group's posts */
} programme_group_t;

/* A shared successor: eligible ready now for two or more designated posts. */
typedef struct programme_sharer {
    const char *person_id; /* borrowed from the posts */
    int posts;             /* how many designated posts they are ready now for */
} programme_sharer_t;

typedef struct programme {
    programme_group_t *groups; /* "national" first, then regions, then roles, each by name */
    size_t group_count;
    programme_sharer_t *sharers; /* most posts first, then by person id */
    size_t sharer_count;
    const char **contended; /* contended posts' ids (borrowed), by id */
    size_t contended_count;
} programme_t;

/* Computes the programme's view of posts[0..count-1] (the designated posts,
 * each once) into *out, which the caller frees with programme_free. With no
 * posts, the only group is "national", all zeros, and there are no sharers
 * or contended posts. Percentages and means are rounded halves away from
 * zero. Returns 0, or -1 when out of memory (*out is then empty). O(N log N)
 * in the posts and nominations, besides the matchings. */
int programme_build(const programme_post_t *posts, size_t count, programme_t *out)
    __attribute__((warn_unused_result));

/* Frees what programme_build allocated and empties *p; safe on an empty one. */
void programme_free(programme_t *p);

/* Sets the group's fields of the summary s (initialised by the caller with
 * succession__v1__programme_summary__init) from group g, its key borrowed
 * from g; leaves trend and evaluated_at as they are, for the caller. */
void programme_summary(Succession__V1__ProgrammeSummary *s, const programme_group_t *g);

/* A candidate for designation: a non-designated post judged as if it were
 * designated. Strings are borrowed. */
typedef struct programme_candidate {
    const char *post_id;
    bool at_risk;
    Succession__V1__Severity severity;
    int ready_now;
    int pipeline;
} programme_candidate_t;

/* Sorts candidates weakest first: at risk first, then by severity (critical
 * first), then ready_now and pipeline ascending, then post id (byte order). */
void programme_rank_candidates(programme_candidate_t *candidates, size_t count);

#endif
