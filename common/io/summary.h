/* summary: the programme's view (core/programme.h) of the designated posts
 * as the database holds them: read from their last pictures, kept as a
 * daily trend, and published as ProgrammeSummary messages through the
 * outbox (deploy/migrations/009). The alert publisher publishes it; the
 * operator's tool reports it. */
#ifndef SUCCESSION_SUMMARY_H
#define SUCCESSION_SUMMARY_H

#include <stddef.h>

#include "datetime.h"
#include "db.h"
#include "programme.h"
#include "succession/v1/outputs.pb-c.h"

/* How many days of trend a summary carries. */
#define SUMMARY_TREND_DAYS 90

/* The designated posts' pictures and the view computed from them. Owns
 * everything it points to; the strings of the view borrow from the
 * pictures. */
typedef struct summary_world {
    Succession__V1__PostStatus **pictures;
    size_t count;
    programme_post_t *posts;
    const char **ready_now_ids;
    programme_t view;
} summary_world_t;

/* Reads the last picture of every designated post and computes the view
 * into *w (free with summary_world_free, also after a failure). Returns a
 * db_status_t, with the reason in errstr. */
db_status_t summary_load(db_t *db, summary_world_t *w, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

void summary_world_free(summary_world_t *w);

/* The summaries of some groups, each with its trend (the last
 * SUMMARY_TREND_DAYS days up to today, oldest first). Owns its memory. */
typedef struct summary_set {
    Succession__V1__ProgrammeSummary *msgs;
    Succession__V1__TrendPoint *points;
    Succession__V1__TrendPoint **point_ptrs;
    char (*dates)[DATE_TEXT_SIZE];
    size_t count;
    PGresult *trend; /* the rows the points borrow from */
} summary_set_t;

/* Builds the summaries of groups[0..count-1] with their trends as of today
 * into *out (free with summary_set_free, also after a failure); strings
 * borrow from the groups. Returns a db_status_t. */
db_status_t summary_build(db_t *db, const programme_group_t *groups, size_t count,
                          date_days_t today, summary_set_t *out, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

void summary_set_free(summary_set_t *s);

/* One publication, in the caller's transaction: computes the view, records
 * today's trend point of every group, and queues (outbox kind 'summary',
 * keyed by group) the summary of each group whose numbers changed since it
 * was last sent, or that was last sent on an earlier day; a group that no
 * longer has designated posts is sent once more with zeros. Adds how many
 * it queued to *queued. Returns a db_status_t. */
db_status_t summary_publish(db_t *db, long *queued, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

#endif
