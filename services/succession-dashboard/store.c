/* store: posts in a fixed-size hash table, alerts in lists kept in the
 * order they were evaluated, summaries in a small array. */
#include "store.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An alert, shared by the feed and its post's history (refs counts both). */
typedef struct stored_alert {
    int refs;
    int sequence;
    int64_t evaluated_s;
    int32_t evaluated_ns;
    uint64_t arrival; /* orders alerts evaluated at the same instant */
    char *json;
} stored_alert_t;

/* Alerts, oldest first, at most cap. */
typedef struct alert_list {
    stored_alert_t **items;
    size_t count, cap;
} alert_list_t;

typedef struct post {
    char *post_id;
    /* What filters and sorts read, from the last picture (NULL json: none). */
    char *ods_code, *organisation, *region, *role, *leaving_date;
    int severity, ready_now, pipeline;
    bool designated;
    char *json;
    alert_list_t history;
} post_t;

typedef struct summary {
    char *key;
    char *json;
} summary_t;

struct store {
    pthread_rwlock_t lock;
    post_t **posts; /* in the order first seen; max_posts */
    size_t post_count, max_posts, with_status;
    uint32_t *slots; /* index + 1 into posts, 0: empty; slot_mask + 1 of them */
    size_t slot_mask;
    alert_list_t feed;
    uint64_t arrivals;
    summary_t summaries[STORE_MAX_SUMMARIES];
    size_t summary_count;
};

/* --- a growing string, failing once and for all when memory runs out --- */

typedef struct text {
    char *data;
    size_t len, cap;
    bool failed;
} text_t;

static void text_add(text_t *t, const char *s)
{
    size_t n = strlen(s);
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 1024;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *data = realloc(t->data, cap);
        if (!data) {
            t->failed = true;
            return;
        }
        t->data = data;
        t->cap = cap;
    }
    memcpy(t->data + t->len, s, n + 1);
    t->len += n;
}

/* The text built, or NULL (everything freed) when memory ran out. */
static char *text_take(text_t *t)
{
    if (t->failed || !t->data) {
        free(t->data);
        return NULL;
    }
    return t->data;
}

/* --- alerts --- */

static void alert_release(stored_alert_t *a)
{
    if (a && --a->refs == 0) {
        free(a->json);
        free(a);
    }
}

/* Whether a was evaluated before b (then arrived before b). */
static bool alert_before(const stored_alert_t *a, const stored_alert_t *b)
{
    if (a->evaluated_s != b->evaluated_s)
        return a->evaluated_s < b->evaluated_s;
    if (a->evaluated_ns != b->evaluated_ns)
        return a->evaluated_ns < b->evaluated_ns;
    return a->arrival < b->arrival;
}

/* Puts a into the list in its place, dropping the oldest when full.
 * Returns false when a is older than every alert of a full list (or the
 * list cannot be allocated); the list then holds no reference to a. */
static bool alert_list_insert(alert_list_t *list, stored_alert_t *a)
{
    if (!list->items && !(list->items = calloc(list->cap, sizeof *list->items)))
        return false;
    if (list->count == list->cap) {
        if (alert_before(a, list->items[0]))
            return false;
        alert_release(list->items[0]);
        memmove(list->items, list->items + 1, --list->count * sizeof *list->items);
    }
    size_t at = list->count;
    while (at > 0 && alert_before(a, list->items[at - 1]))
        at--;
    memmove(list->items + at + 1, list->items + at, (list->count - at) * sizeof *list->items);
    list->items[at] = a;
    list->count++;
    a->refs++;
    return true;
}

static bool alert_list_has_sequence(const alert_list_t *list, int sequence)
{
    for (size_t i = 0; i < list->count; i++)
        if (list->items[i]->sequence == sequence)
            return true;
    return false;
}

static void alert_list_free(alert_list_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        alert_release(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

/* Appends the list's alerts, last evaluated first, at most limit. */
static void alert_list_json(const alert_list_t *list, size_t limit, text_t *out)
{
    text_add(out, "[");
    for (size_t i = 0; i < list->count && i < limit; i++) {
        if (i)
            text_add(out, ",");
        text_add(out, list->items[list->count - 1 - i]->json);
    }
    text_add(out, "]");
}

/* --- posts --- */

/* FNV-1a: posts are few and ids short; the table is at most half full. */
static size_t hash_id(const char *id)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)id; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return (size_t)h;
}

/* The slot of post_id: the one holding it, or the empty one it would take. */
static uint32_t *post_slot(store_t *s, const char *post_id)
{
    size_t i = hash_id(post_id) & s->slot_mask;
    while (s->slots[i] && strcmp(s->posts[s->slots[i] - 1]->post_id, post_id) != 0)
        i = (i + 1) & s->slot_mask;
    return &s->slots[i];
}

static post_t *post_find(store_t *s, const char *post_id)
{
    uint32_t *slot = post_slot(s, post_id);
    return *slot ? s->posts[*slot - 1] : NULL;
}

/* A new post of post_id, when there is room and memory; NULL otherwise. */
static post_t *post_add(store_t *s, const char *post_id)
{
    if (s->post_count == s->max_posts)
        return NULL;
    post_t *p = calloc(1, sizeof *p);
    if (!p || !(p->post_id = strdup(post_id))) {
        free(p);
        return NULL;
    }
    p->history.cap = STORE_POST_ALERTS;
    s->posts[s->post_count++] = p;
    *post_slot(s, post_id) = (uint32_t)s->post_count;
    return p;
}

static void post_clear_status(post_t *p)
{
    char **fields[] = {&p->ods_code, &p->organisation, &p->region,
                       &p->role,     &p->leaving_date, &p->json};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

/* Copies what filters and sorts read, and json. Returns false when out of
 * memory (the post then has no picture). */
static bool post_set_status(post_t *p, const Succession__V1__PostStatus *st, const char *json)
{
    post_clear_status(p);
    p->severity = st->severity;
    p->ready_now = st->ready_now;
    p->pipeline = st->pipeline;
    p->designated = st->designated;
    p->ods_code = strdup(st->ods_code);
    p->organisation = strdup(st->organisation_name);
    p->region = strdup(st->region);
    p->role = strdup(st->role);
    p->leaving_date = strdup(st->leaving_date);
    p->json = strdup(json);
    if (p->ods_code && p->organisation && p->region && p->role && p->leaving_date && p->json)
        return true;
    post_clear_status(p);
    return false;
}

static void post_free(post_t *p)
{
    post_clear_status(p);
    alert_list_free(&p->history);
    free(p->post_id);
    free(p);
}

/* --- the store --- */

store_t *store_new(size_t max_posts, size_t max_alerts)
{
    if (max_posts < 1 || max_alerts < 1 || max_posts > UINT32_MAX / 4)
        return NULL;
    store_t *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    size_t slots = 2;
    while (slots < 2 * max_posts)
        slots *= 2;
    s->max_posts = max_posts;
    s->slot_mask = slots - 1;
    s->feed.cap = max_alerts;
    s->posts = calloc(max_posts, sizeof *s->posts);
    s->slots = calloc(slots, sizeof *s->slots);
    if (!s->posts || !s->slots || pthread_rwlock_init(&s->lock, NULL) != 0) {
        free(s->posts);
        free(s->slots);
        free(s);
        return NULL;
    }
    return s;
}

void store_free(store_t *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->post_count; i++)
        post_free(s->posts[i]);
    for (size_t i = 0; i < s->summary_count; i++) {
        free(s->summaries[i].key);
        free(s->summaries[i].json);
    }
    alert_list_free(&s->feed);
    pthread_rwlock_destroy(&s->lock);
    free(s->posts);
    free(s->slots);
    free(s);
}

store_result_t store_put_status(store_t *s, const Succession__V1__PostStatus *status,
                                const char *json)
{
    pthread_rwlock_wrlock(&s->lock);
    post_t *p = post_find(s, status->post_id);
    store_result_t r = STORE_FULL;
    if (p || s->post_count < s->max_posts) {
        r = STORE_FAILED;
        if (p || (p = post_add(s, status->post_id))) {
            bool had = p->json != NULL;
            if (post_set_status(p, status, json))
                r = had ? STORE_UPDATED : STORE_ADDED;
            s->with_status = s->with_status + (p->json != NULL) - had;
        }
    }
    pthread_rwlock_unlock(&s->lock);
    return r;
}

bool store_remove_status(store_t *s, const char *post_id)
{
    pthread_rwlock_wrlock(&s->lock);
    post_t *p = post_find(s, post_id);
    bool had = p && p->json;
    if (had) {
        post_clear_status(p);
        s->with_status--;
    }
    pthread_rwlock_unlock(&s->lock);
    return had;
}

static stored_alert_t *alert_new(store_t *s, const Succession__V1__SuccessionAlert *alert,
                                 const char *json)
{
    stored_alert_t *a = calloc(1, sizeof *a);
    if (!a || !(a->json = strdup(json))) {
        free(a);
        return NULL;
    }
    a->refs = 1; /* the caller's, until both lists had their say */
    a->sequence = alert->sequence;
    if (alert->evaluated_at) {
        a->evaluated_s = alert->evaluated_at->seconds;
        a->evaluated_ns = alert->evaluated_at->nanos;
    }
    a->arrival = ++s->arrivals;
    return a;
}

store_result_t store_put_alert(store_t *s, const Succession__V1__SuccessionAlert *alert,
                               const char *json)
{
    pthread_rwlock_wrlock(&s->lock);
    post_t *p = post_find(s, alert->post_id);
    store_result_t r = STORE_REPEAT;
    if (!p || !alert_list_has_sequence(&p->history, alert->sequence)) {
        if (!p)
            p = post_add(s, alert->post_id); /* NULL: the feed only */
        stored_alert_t *a = alert_new(s, alert, json);
        bool in_feed = a && alert_list_insert(&s->feed, a);
        bool in_history = a && p && alert_list_insert(&p->history, a);
        r = !a ? STORE_FAILED : in_feed || in_history ? STORE_ADDED : STORE_FULL;
        alert_release(a);
    }
    pthread_rwlock_unlock(&s->lock);
    return r;
}

store_result_t store_put_summary(store_t *s, const Succession__V1__ProgrammeSummary *summary,
                                 const char *json)
{
    char *copy = strdup(json);
    if (!copy)
        return STORE_FAILED;
    pthread_rwlock_wrlock(&s->lock);
    size_t i = 0;
    while (i < s->summary_count && strcmp(s->summaries[i].key, summary->key) != 0)
        i++;
    store_result_t r = i < s->summary_count ? STORE_UPDATED : STORE_ADDED;
    if (i == STORE_MAX_SUMMARIES) {
        r = STORE_FULL;
    } else if (i == s->summary_count && !(s->summaries[i].key = strdup(summary->key))) {
        r = STORE_FAILED;
    } else {
        s->summary_count += i == s->summary_count;
        free(s->summaries[i].json);
        s->summaries[i].json = copy;
        copy = NULL;
    }
    pthread_rwlock_unlock(&s->lock);
    free(copy);
    return r;
}

size_t store_post_count(store_t *s)
{
    pthread_rwlock_rdlock(&s->lock);
    size_t n = s->with_status;
    pthread_rwlock_unlock(&s->lock);
    return n;
}

size_t store_alert_count(store_t *s)
{
    pthread_rwlock_rdlock(&s->lock);
    size_t n = s->feed.count;
    pthread_rwlock_unlock(&s->lock);
    return n;
}

/* --- queries --- */

/* Whether needle occurs in hay, ASCII letters of any case. */
static bool contains_folded(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return true;
    }
    return n == 0;
}

static bool post_matches(const post_t *p, const store_filter_t *f)
{
    return p->json && (!f->region || strcmp(p->region, f->region) == 0) &&
           (!f->role || strcmp(p->role, f->role) == 0) &&
           (f->severity < 0 || p->severity == f->severity) &&
           (f->designated < 0 || p->designated == (f->designated == 1)) &&
           (!f->query || contains_folded(p->post_id, f->query) ||
            contains_folded(p->ods_code, f->query) || contains_folded(p->organisation, f->query));
}

typedef int (*post_compare_fn)(const post_t *a, const post_t *b);

static int compare_int(int a, int b)
{
    return (a > b) - (a < b);
}

static int by_severity(const post_t *a, const post_t *b)
{
    int c = compare_int(b->severity, a->severity);
    if (!c)
        c = compare_int(a->ready_now, b->ready_now);
    return c ? c : compare_int(a->pipeline, b->pipeline);
}

static int by_post(const post_t *a, const post_t *b)
{
    (void)a, (void)b;
    return 0; /* the tie-break below is the post id */
}

static int by_organisation(const post_t *a, const post_t *b)
{
    return strcmp(a->organisation, b->organisation);
}

static int by_region(const post_t *a, const post_t *b)
{
    return strcmp(a->region, b->region);
}

static int by_role(const post_t *a, const post_t *b)
{
    return strcmp(a->role, b->role);
}

static int by_ready_now(const post_t *a, const post_t *b)
{
    return compare_int(a->ready_now, b->ready_now);
}

static int by_pipeline(const post_t *a, const post_t *b)
{
    return compare_int(a->pipeline, b->pipeline);
}

/* Soonest first; posts without a leaving date last. */
static int by_leaving(const post_t *a, const post_t *b)
{
    if (!a->leaving_date[0] || !b->leaving_date[0])
        return compare_int(!a->leaving_date[0], !b->leaving_date[0]);
    return strcmp(a->leaving_date, b->leaving_date);
}

static const struct {
    const char *name;
    store_sort_t sort;
    post_compare_fn compare;
} sorts[] = {
    {"severity", STORE_SORT_SEVERITY, by_severity},
    {"post", STORE_SORT_POST, by_post},
    {"organisation", STORE_SORT_ORGANISATION, by_organisation},
    {"region", STORE_SORT_REGION, by_region},
    {"role", STORE_SORT_ROLE, by_role},
    {"readyNow", STORE_SORT_READY_NOW, by_ready_now},
    {"pipeline", STORE_SORT_PIPELINE, by_pipeline},
    {"leaving", STORE_SORT_LEAVING, by_leaving},
};
#define SORT_COUNT (sizeof sorts / sizeof sorts[0])

int store_sort_parse(const char *name, store_sort_t *sort)
{
    for (size_t i = 0; i < SORT_COUNT; i++)
        if (strcmp(name, sorts[i].name) == 0) {
            *sort = sorts[i].sort;
            return 0;
        }
    return -1;
}

int store_severity_parse(const char *name, int *severity)
{
    const ProtobufCEnumValue *v =
        protobuf_c_enum_descriptor_get_value_by_name(&succession__v1__severity__descriptor, name);
    if (!v)
        return -1;
    *severity = v->value;
    return 0;
}

/* qsort has no argument for the comparison: each element carries it. */
typedef struct ranked {
    const post_t *post;
    post_compare_fn compare;
} ranked_t;

static int compare_ranked(const void *x, const void *y)
{
    const ranked_t *a = x, *b = y;
    int c = a->compare(a->post, b->post);
    return c ? c : strcmp(a->post->post_id, b->post->post_id);
}

char *store_posts_json(store_t *s, const store_filter_t *filter, store_sort_t sort, size_t offset,
                       size_t limit)
{
    text_t out = {0};
    pthread_rwlock_rdlock(&s->lock);
    ranked_t *matches = malloc((s->post_count + 1) * sizeof *matches);
    size_t n = 0;
    for (size_t i = 0; matches && i < s->post_count; i++)
        if (post_matches(s->posts[i], filter))
            matches[n++] = (ranked_t){s->posts[i], sorts[sort].compare};
    qsort(matches, n, sizeof *matches, compare_ranked);
    char total[64];
    snprintf(total, sizeof total, "{\"total\":%zu,\"posts\":[", n);
    text_add(&out, total);
    for (size_t i = offset; matches && i < n && i - offset < limit; i++) {
        if (i > offset)
            text_add(&out, ",");
        text_add(&out, matches[i].post->json);
    }
    text_add(&out, "]}");
    pthread_rwlock_unlock(&s->lock);
    out.failed = out.failed || !matches;
    free(matches);
    return text_take(&out);
}

char *store_post_json(store_t *s, const char *post_id)
{
    text_t out = {0};
    pthread_rwlock_rdlock(&s->lock);
    const post_t *p = post_find(s, post_id);
    if (p) {
        text_add(&out, "{\"status\":");
        text_add(&out, p->json ? p->json : "null");
        text_add(&out, ",\"alerts\":");
        alert_list_json(&p->history, STORE_POST_ALERTS, &out);
        text_add(&out, "}");
    }
    pthread_rwlock_unlock(&s->lock);
    return text_take(&out);
}

char *store_alerts_json(store_t *s, size_t limit)
{
    text_t out = {0};
    text_add(&out, "{\"alerts\":");
    pthread_rwlock_rdlock(&s->lock);
    alert_list_json(&s->feed, limit, &out);
    pthread_rwlock_unlock(&s->lock);
    text_add(&out, "}");
    return text_take(&out);
}

/* national, then region:*, then role:*, then anything else. */
static int summary_rank(const char *key)
{
    if (strcmp(key, "national") == 0)
        return 0;
    if (strncmp(key, "region:", 7) == 0)
        return 1;
    return strncmp(key, "role:", 5) == 0 ? 2 : 3;
}

static int compare_summaries(const void *x, const void *y)
{
    const summary_t *a = *(summary_t *const *)x, *b = *(summary_t *const *)y;
    int c = compare_int(summary_rank(a->key), summary_rank(b->key));
    return c ? c : strcmp(a->key, b->key);
}

char *store_summaries_json(store_t *s)
{
    text_t out = {0};
    const summary_t *order[STORE_MAX_SUMMARIES];
    text_add(&out, "{\"summaries\":[");
    pthread_rwlock_rdlock(&s->lock);
    for (size_t i = 0; i < s->summary_count; i++)
        order[i] = &s->summaries[i];
    qsort(order, s->summary_count, sizeof order[0], compare_summaries);
    for (size_t i = 0; i < s->summary_count; i++) {
        if (i)
            text_add(&out, ",");
        text_add(&out, order[i]->json);
    }
    pthread_rwlock_unlock(&s->lock);
    text_add(&out, "]}");
    return text_take(&out);
}
