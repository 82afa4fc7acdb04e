/* evaluate: judges posts and records what changed. Reads the facts of the
 * posts in one round trip (the evaluation_* functions of
 * deploy/migrations/007), lets rules.h decide, and for each post whose
 * at-risk state, severity or picture changed writes post_state and the
 * outbox rows (a SuccessionAlert on a change of risk or severity, a
 * PostStatus on every change of picture).
 *
 * Workers do not evaluate: a batch marks what it touched dirty, and the
 * alert publisher's evaluate_dirty() evaluates the dirty posts after it
 * commits, in transactions of their own (see 007 for why that is enough).
 * Under load one pass covers what many batches touched. */
#ifndef SUCCESSION_EVALUATE_H
#define SUCCESSION_EVALUATE_H

#include <stddef.h>

#include "db.h"
#include "succession/v1/outputs.pb-c.h"

typedef struct evaluate_stats {
    long posts;        /* posts judged */
    long alerts;       /* alerts queued */
    long statuses;     /* status snapshots queued */
    long lock_wait_ms; /* time spent waiting for post locks */
    long passes;       /* evaluation passes */
    long taken;        /* rows the last pass took (0: nothing was dirty) */
} evaluate_stats_t;

/* Evaluates the registered posts post_ids[0..count-1], in byte order of id,
 * inside the caller's transaction; the caller holds their locks
 * (lock_posts). caused_by (NULL, or a parallel array, entries may be NULL)
 * names the event behind each. Non-designated posts are skipped unless they
 * were evaluated before (they then resolve). Adds to *stats. Returns a
 * db_status_t; on failure errstr says why and the caller rolls back. */
db_status_t evaluate_posts(db_t *db, const char *const *post_ids, const char *const *caused_by,
                           size_t count, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* One pass, in a transaction of its own: takes every committed mark of a
 * dirty post or person and evaluates the posts they amount to (taking
 * their locks). stats->taken is 0 when nothing was dirty. Adds to *stats.
 * Returns a db_status_t; what a failed pass took stays dirty. */
db_status_t evaluate_dirty(db_t *db, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Locks every post that is designated or has a state and evaluates them all,
 * in the caller's transaction (the timed re-evaluation, and after reference
 * data or settings change). */
db_status_t evaluate_all(db_t *db, evaluate_stats_t *stats, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Receives one judged picture (its strings live until the call returns);
 * returns 0, or -1 to stop with "out of memory". */
typedef int (*evaluate_each_fn)(const Succession__V1__PostStatus *st, void *arg);

/* Candidates for designation: judges every registered non-designated post
 * as if it were designated, records nothing, and hands each picture to
 * each in post id order. Read-only; any transaction is the caller's.
 * Returns a db_status_t. */
db_status_t evaluate_candidates(db_t *db, evaluate_each_fn each, void *arg, char *errstr,
                                size_t errstr_size) __attribute__((warn_unused_result));

#endif
