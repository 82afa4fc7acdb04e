/* evaluate: judges posts and records what changed, inside the caller's
 * transaction. Reads the facts of each post (post_facts, post_nominations in
 * deploy/migrations/004_evaluate.sql), applies rules.h, and for each post
 * whose at-risk state, severity or picture changed writes post_state and the
 * outbox rows (a SuccessionAlert on a change of risk or severity, a
 * PostStatus on every change of picture). The caller must hold the post row
 * locks, taken in post id order. */
#ifndef SUCCESSION_EVALUATE_H
#define SUCCESSION_EVALUATE_H

#include <stddef.h>

#include "db.h"

/* A post status lists at most this many successors (outputs.proto), so that
 * a status stays far below Kafka's message size limit however many people
 * are nominated: ids are at most 64 characters, organisation names 200. */
#define EVALUATE_MAX_LISTED_SUCCESSORS 200

typedef struct evaluate_stats {
    long posts;    /* posts judged */
    long alerts;   /* alerts queued */
    long statuses; /* status snapshots queued */
} evaluate_stats_t;

/* Evaluates the registered posts post_ids[0..count-1]; caused_by (NULL, or a
 * parallel array of event ids, entries may be NULL) names the event behind
 * each. Non-designated posts are skipped unless they were evaluated before
 * (they then resolve). Adds to *stats. Returns a db_status_t; on failure
 * errstr says why and the caller rolls back. */
db_status_t evaluate_posts(db_t *db, const char *const *post_ids, const char *const *caused_by,
                           size_t count, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Locks every registered post in post id order and evaluates them all (the
 * timed re-evaluation, and after reference data or settings change). */
db_status_t evaluate_all(db_t *db, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

#endif
