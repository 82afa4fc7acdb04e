/* store: the dashboard's current picture, in memory and bounded. It holds
 * the last PostStatus of each post (at most max_posts posts), the most
 * recent alerts of the feed (max_alerts) and of each post it holds
 * (STORE_POST_ALERTS), and the last ProgrammeSummary of each group, each as
 * its proto3 JSON text, and answers the API's questions with JSON text.
 *
 * It is safe to use from several threads: writers (the topic feed) and
 * readers (the HTTP server's threads) take its lock inside every call. */
#ifndef SUCCESSION_DASHBOARD_STORE_H
#define SUCCESSION_DASHBOARD_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "succession/v1/outputs.pb-c.h"

#define STORE_POST_ALERTS   20 /* alerts kept per post: its most recent */
#define STORE_MAX_SUMMARIES 64 /* groups: national, 7 regions, 7 roles and room to spare */

typedef struct store store_t;

typedef enum {
    STORE_ADDED,   /* new: held from now on */
    STORE_UPDATED, /* replaced what was held */
    STORE_REPEAT,  /* an alert already held (a consumer may see one again) */
    STORE_FULL,    /* the bound is reached: not held */
    STORE_FAILED,  /* out of memory: not held */
} store_result_t;

/* How /api/posts orders: each key in its natural direction (most severe,
 * fewest ready now, soonest leaving first), then by post id. */
typedef enum {
    STORE_SORT_SEVERITY,
    STORE_SORT_POST,
    STORE_SORT_ORGANISATION,
    STORE_SORT_REGION,
    STORE_SORT_ROLE,
    STORE_SORT_READY_NOW,
    STORE_SORT_PIPELINE,
    STORE_SORT_LEAVING,
} store_sort_t;

/* Which posts /api/posts lists; NULL (or a severity of -1) matches all. */
typedef struct store_filter {
    const char *region; /* exactly, e.g. "LONDON" */
    const char *role;   /* exactly, e.g. "CHIEF_EXECUTIVE" */
    int severity;       /* a Severity value, or -1 */
    const char *query;  /* a substring of the post id, ODS code or organisation, any case */
    int designated;     /* 1 or 0 to match that, -1 for all */
} store_filter_t;

/* A new, empty store holding at most max_posts posts and max_alerts alerts
 * of the feed (both at least 1). Returns NULL when out of memory; free with
 * store_free. */
store_t *store_new(size_t max_posts, size_t max_alerts);

void store_free(store_t *store);

/* Takes the picture of a post: status (borrowed) and json, its JSON text
 * (copied). A post beyond max_posts is not held (STORE_FULL); a post held
 * is always updated. */
store_result_t store_put_status(store_t *store, const Succession__V1__PostStatus *status,
                                const char *json);

/* Forgets the picture of post_id (a tombstone on the compacted topic); its
 * alert history stays. Returns whether a picture was held. */
bool store_remove_status(store_t *store, const char *post_id);

/* Takes an alert: alert (borrowed) and json (copied). It joins the feed,
 * which keeps the max_alerts evaluated last, and the history of its post
 * (when the post is held or can be), unless the post's history holds its
 * sequence already (STORE_REPEAT). STORE_FULL: the alert is older than
 * every alert of a full feed and of its post's history. */
store_result_t store_put_alert(store_t *store, const Succession__V1__SuccessionAlert *alert,
                               const char *json);

/* Takes the summary of a group (summary borrowed, json copied), replacing
 * the last one of its key; more than STORE_MAX_SUMMARIES keys: STORE_FULL. */
store_result_t store_put_summary(store_t *store, const Succession__V1__ProgrammeSummary *summary,
                                 const char *json);

/* Posts with a picture, and alerts in the feed. */
size_t store_post_count(store_t *store);
size_t store_alert_count(store_t *store);

/* The sort of a name ("severity", "post", "organisation", "region", "role",
 * "readyNow", "pipeline", "leaving"): 0, or -1 when there is none. */
int store_sort_parse(const char *name, store_sort_t *sort) __attribute__((warn_unused_result));

/* The Severity of its enum name ("SEVERITY_HIGH"): 0, or -1 when unknown. */
int store_severity_parse(const char *name, int *severity) __attribute__((warn_unused_result));

/* The posts filter matches, ordered by sort, from offset, at most limit:
 * a new string {"total":N,"posts":[PostStatus...]} (N counts every match).
 * NULL when out of memory; the caller frees. */
char *store_posts_json(store_t *store, const store_filter_t *filter, store_sort_t sort,
                       size_t offset, size_t limit);

/* The post: a new string {"status":PostStatus or null,"alerts":[...]},
 * its alerts evaluated last first; NULL when the store knows nothing of
 * post_id (or out of memory). The caller frees. */
char *store_post_json(store_t *store, const char *post_id);

/* The feed, evaluated last first, at most limit: a new string
 * {"alerts":[SuccessionAlert...]}, or NULL when out of memory. */
char *store_alerts_json(store_t *store, size_t limit);

/* Every group's summary, national first, then regions, then roles, each by
 * key: a new string {"summaries":[ProgrammeSummary...]}, or NULL when out
 * of memory. */
char *store_summaries_json(store_t *store);

#endif
