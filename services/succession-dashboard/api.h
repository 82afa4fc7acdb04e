/* api: the dashboard's JSON API over the store, in the proto3 JSON mapping.
 *
 *   GET /api/posts       {"total":N,"posts":[PostStatus...]}; query:
 *                        region, role (exact enum names), severity
 *                        (SEVERITY_*), q (part of the post id, ODS code or
 *                        organisation), designated (true/false), sort
 *                        (severity, post, organisation, region, role,
 *                        readyNow, pipeline, leaving), offset, limit
 *                        (API_DEFAULT_LIMIT, at most API_MAX_LIMIT)
 *   GET /api/posts/{id}  {"status":PostStatus,"alerts":[SuccessionAlert...]}
 *   GET /api/alerts      {"alerts":[SuccessionAlert...]}, last evaluated
 *                        first; query: limit
 *   GET /api/summary     {"summaries":[ProgrammeSummary...]}, national first
 *
 * A bad query value is 400 with the reason; an unknown post or path 404. */
#ifndef SUCCESSION_DASHBOARD_API_H
#define SUCCESSION_DASHBOARD_API_H

#include <stddef.h>

#include "store.h"

#define API_DEFAULT_LIMIT 1000
#define API_MAX_LIMIT     5000

/* The value of query argument name, or NULL when absent. */
typedef const char *(*api_arg_fn)(void *ctx, const char *name);

typedef struct api_response {
    int status;
    char *body; /* a new string (the caller frees), or NULL when out of memory */
} api_response_t;

/* Answers a GET of path (decoded, without the query), which starts with
 * "/api/", reading the query through arg(ctx, name). */
void api_answer(store_t *store, const char *path, api_arg_fn arg, void *ctx, api_response_t *r);

#endif
