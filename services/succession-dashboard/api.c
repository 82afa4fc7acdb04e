/* api: query arguments in, the store's JSON out. */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A 4xx answer naming the argument (never echoing its value). */
static void api_error(api_response_t *r, int status, const char *message)
{
    size_t size = strlen(message) + 16;
    r->status = status;
    if ((r->body = malloc(size)))
        snprintf(r->body, size, "{\"error\":\"%s\"}", message);
}

/* Reads a count argument into *value (unchanged when absent). Returns 0,
 * or -1 when it is not a whole number from 0 to max. */
static int api_count(const char *text, size_t max, size_t *value)
{
    if (!text)
        return 0;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > max)
        return -1;
    *value = (size_t)v;
    return 0;
}

/* An argument given empty counts as absent (an unset form field). */
static const char *api_arg(api_arg_fn arg, void *ctx, const char *name)
{
    const char *v = arg(ctx, name);
    return v && v[0] ? v : NULL;
}

/* The filter, sort and page of /api/posts; NULL, or the problem. */
static const char *api_posts_query(api_arg_fn arg, void *ctx, store_filter_t *filter,
                                   store_sort_t *sort, size_t *offset, size_t *limit)
{
    const char *severity = api_arg(arg, ctx, "severity"), *by = api_arg(arg, ctx, "sort"),
               *designated = api_arg(arg, ctx, "designated");
    *filter = (store_filter_t){api_arg(arg, ctx, "region"), api_arg(arg, ctx, "role"), -1,
                               api_arg(arg, ctx, "q"), -1};
    *sort = STORE_SORT_SEVERITY;
    if (severity && store_severity_parse(severity, &filter->severity))
        return "severity: not a Severity name";
    if (by && store_sort_parse(by, sort))
        return "sort: not a sort of posts";
    if (designated && strcmp(designated, "true") != 0 && strcmp(designated, "false") != 0)
        return "designated: not true or false";
    if (designated)
        filter->designated = strcmp(designated, "true") == 0;
    if (api_count(api_arg(arg, ctx, "offset"), (size_t)-1, offset))
        return "offset: not a whole number";
    if (api_count(api_arg(arg, ctx, "limit"), API_MAX_LIMIT, limit))
        return "limit: not a whole number up to 5000";
    return NULL;
}

static void api_posts(store_t *store, api_arg_fn arg, void *ctx, api_response_t *r)
{
    store_filter_t filter;
    store_sort_t sort;
    size_t offset = 0, limit = API_DEFAULT_LIMIT;
    const char *problem = api_posts_query(arg, ctx, &filter, &sort, &offset, &limit);
    if (problem) {
        api_error(r, 400, problem);
        return;
    }
    r->status = 200;
    r->body = store_posts_json(store, &filter, sort, offset, limit);
}

static void api_alerts(store_t *store, api_arg_fn arg, void *ctx, api_response_t *r)
{
    size_t limit = API_DEFAULT_LIMIT;
    if (api_count(api_arg(arg, ctx, "limit"), API_MAX_LIMIT, &limit)) {
        api_error(r, 400, "limit: not a whole number up to 5000");
        return;
    }
    r->status = 200;
    r->body = store_alerts_json(store, limit);
}

void api_answer(store_t *store, const char *path, api_arg_fn arg, void *ctx, api_response_t *r)
{
    static const char posts_prefix[] = "/api/posts/";
    *r = (api_response_t){200, NULL};
    if (strcmp(path, "/api/posts") == 0) {
        api_posts(store, arg, ctx, r);
    } else if (strncmp(path, posts_prefix, sizeof posts_prefix - 1) == 0) {
        /* The rest of the path is the id, whatever it holds ('/' too). */
        r->body = store_post_json(store, path + sizeof posts_prefix - 1);
        if (!r->body)
            api_error(r, 404, "no such post");
    } else if (strcmp(path, "/api/alerts") == 0) {
        api_alerts(store, arg, ctx, r);
    } else if (strcmp(path, "/api/summary") == 0) {
        r->body = store_summaries_json(store);
    } else {
        api_error(r, 404, "no such path");
    }
}
