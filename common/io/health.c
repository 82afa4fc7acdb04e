/* health: liveness, readiness and metrics, served by http.c. */
#include "health.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"
#include "http.h"

health_metrics_t health_metrics = {.kafka_up = 1};

/* Owned by the service's thread (start and stop); the server thread reads
 * service and liveness_ms, which are set before it starts. */
static struct {
    http_server_t *http;
    char service[64];
    long liveness_ms;
} server;

static atomic_long last_heartbeat_ms;

/* The database fault in the way and what the service waits for, written
 * by the service's thread and read by the server's. */
static pthread_mutex_t fault_lock = PTHREAD_MUTEX_INITIALIZER;
static char fault[256];
static char waiting[256];

/* The metrics with one sample each, labelled only with the service. */
static const struct {
    const char *name, *type, *help;
    atomic_long *value;
} plain_metrics[] = {
    {"succession_dead_letters_bounded_total", "counter",
     "Dead letters too large to copy, sent as the bounded record.",
     &health_metrics.dead_letters_bounded},
    {"succession_batches_total", "counter", "Batch transactions committed.",
     &health_metrics.batches},
    {"succession_batch_failures_total", "counter",
     "Batch transaction attempts that failed (each is retried).", &health_metrics.batch_failures},
    {"succession_posts_evaluated_total", "counter", "Posts judged by the evaluator.",
     &health_metrics.posts_evaluated},
    {"succession_alerts_queued_total", "counter", "Alerts written to the outbox.",
     &health_metrics.alerts_queued},
    {"succession_statuses_queued_total", "counter", "Post status snapshots written to the outbox.",
     &health_metrics.statuses_queued},
    {"succession_summaries_queued_total", "counter", "Programme summaries written to the outbox.",
     &health_metrics.summaries_queued},
    {"succession_outbox_relayed_total", "counter", "Outbox rows relayed and confirmed by Kafka.",
     &health_metrics.outbox_relayed},
    {"succession_outbox_failed_total", "counter",
     "Outbox rows Kafka refused for good, moved to outbox_failed.", &health_metrics.outbox_failed},
    {"succession_outbox_depth", "gauge", "Rows waiting in the outbox.",
     &health_metrics.outbox_depth},
    {"succession_ready", "gauge", "1 when the service can do its work (see /readyz).",
     &health_metrics.ready},
    {"succession_db_up", "gauge", "1 when PostgreSQL answered at the last attempt.",
     &health_metrics.db_up},
    {"succession_kafka_up", "gauge", "0 after Kafka reported all brokers down, until it answers.",
     &health_metrics.kafka_up},
    {"succession_dashboard_posts", "gauge", "Posts the dashboard holds.",
     &health_metrics.posts_held},
    {"succession_dashboard_dropped_total", "counter",
     "Statuses of posts beyond the dashboard's maximum, dropped.",
     &health_metrics.dashboard_dropped},
    {"succession_dashboard_clients", "gauge", "Live (Server-Sent Events) clients of the dashboard.",
     &health_metrics.live_clients},
};

/* Metrics measured in milliseconds, shown in seconds. */
static const struct {
    const char *name, *type, *help;
    atomic_long *value;
} seconds_metrics[] = {
    {"succession_lock_wait_seconds_total", "counter",
     "Time batches waited for person and post locks.", &health_metrics.lock_wait_ms},
    {"succession_last_batch_seconds", "gauge", "How long the last applied batch took.",
     &health_metrics.last_batch_ms},
    {"succession_outbox_oldest_seconds", "gauge", "Age of the oldest row in the outbox.",
     &health_metrics.outbox_oldest_ms},
};

/* Upper bounds of the batch duration buckets, in milliseconds. */
static const long batch_bounds_ms[HEALTH_BATCH_BUCKETS] = {5,   10,   25,   50,   100,  250,
                                                           500, 1000, 2500, 5000, 10000};

/* The lag of each assigned partition, written by the service's thread and
 * read by the server's. */
typedef struct partition_lag {
    char *topic;
    int32_t partition;
    long lag;
} partition_lag_t;

static struct {
    pthread_mutex_t lock;
    partition_lag_t *entries;
    size_t count, cap;
} lags = {.lock = PTHREAD_MUTEX_INITIALIZER};

static const char *const outcomes[] = {"applied", "duplicate", "parked", "dead"};
static atomic_long *const outcome_counts[] = {
    &health_metrics.messages_applied, &health_metrics.messages_duplicate,
    &health_metrics.messages_parked, &health_metrics.messages_dead};

/* Writes s as a label value: backslash, double quote and line feed escaped. */
static void put_label_value(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fputc('\\', out);
        if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
    }
}

static void render_batch_histogram(FILE *out, const char *s)
{
    const char *name = "succession_batch_duration_seconds";
    fprintf(out,
            "# HELP %s How long applying a batch took, retries included.\n# TYPE %s histogram\n",
            name, name);
    /* Smaller bounds first and the count last, the reverse of
     * health_observe_batch: a page never shows a bucket above the next. */
    for (size_t i = 0; i < HEALTH_BATCH_BUCKETS; i++)
        fprintf(out, "%s_bucket{service=\"%s\",le=\"%g\"} %ld\n", name, s,
                batch_bounds_ms[i] / 1000.0, atomic_load(&health_metrics.batch_ms_buckets[i]));
    long sum = atomic_load(&health_metrics.batch_ms_sum);
    long count = atomic_load(&health_metrics.batch_ms_count);
    fprintf(out, "%s_bucket{service=\"%s\",le=\"+Inf\"} %ld\n", name, s, count);
    fprintf(out, "%s_sum{service=\"%s\"} %ld.%03ld\n", name, s, sum / 1000, sum % 1000);
    fprintf(out, "%s_count{service=\"%s\"} %ld\n", name, s, count);
}

static void render_lags(FILE *out, const char *s)
{
    pthread_mutex_lock(&lags.lock);
    if (lags.count > 0)
        fputs("# HELP succession_consumer_lag Messages of an assigned partition not yet applied: "
              "its high watermark less the next offset stored in PostgreSQL.\n"
              "# TYPE succession_consumer_lag gauge\n",
              out);
    for (size_t i = 0; i < lags.count; i++) {
        fprintf(out, "succession_consumer_lag{service=\"%s\",topic=\"", s);
        put_label_value(out, lags.entries[i].topic);
        fprintf(out, "\",partition=\"%d\"} %ld\n", (int)lags.entries[i].partition,
                lags.entries[i].lag);
    }
    pthread_mutex_unlock(&lags.lock);
}

/* Writes the metrics page to out. */
static void render_metrics(FILE *out)
{
    const char *s = server.service;
    fputs("# HELP succession_messages_total Messages of committed batches, by outcome.\n"
          "# TYPE succession_messages_total counter\n",
          out);
    for (size_t i = 0; i < sizeof outcomes / sizeof outcomes[0]; i++)
        fprintf(out, "succession_messages_total{service=\"%s\",outcome=\"%s\"} %ld\n", s,
                outcomes[i], atomic_load(outcome_counts[i]));
    for (size_t i = 0; i < sizeof plain_metrics / sizeof plain_metrics[0]; i++)
        fprintf(out, "# HELP %s %s\n# TYPE %s %s\n%s{service=\"%s\"} %ld\n", plain_metrics[i].name,
                plain_metrics[i].help, plain_metrics[i].name, plain_metrics[i].type,
                plain_metrics[i].name, s, atomic_load(plain_metrics[i].value));
    for (size_t i = 0; i < sizeof seconds_metrics / sizeof seconds_metrics[0]; i++) {
        long ms = atomic_load(seconds_metrics[i].value);
        fprintf(out, "# HELP %s %s\n# TYPE %s %s\n%s{service=\"%s\"} %ld.%03ld\n",
                seconds_metrics[i].name, seconds_metrics[i].help, seconds_metrics[i].name,
                seconds_metrics[i].type, seconds_metrics[i].name, s, ms / 1000, ms % 1000);
    }
    render_batch_histogram(out, s);
    render_lags(out, s);
}

/* Why the service is not ready, into buf: the first problem found. */
static void unready_reason(char *buf, size_t size)
{
    pthread_mutex_lock(&fault_lock);
    if (fault[0])
        snprintf(buf, size, "database fault: %s\n", fault);
    else if (!atomic_load(&health_metrics.db_up))
        snprintf(buf, size, "database unavailable\n");
    else if (!atomic_load(&health_metrics.kafka_up))
        snprintf(buf, size, "kafka: all brokers down\n");
    else if (waiting[0])
        snprintf(buf, size, "%s\n", waiting);
    else
        snprintf(buf, size, "starting\n");
    pthread_mutex_unlock(&fault_lock);
}

static const char text_type[] = "text/plain; charset=utf-8";

/* The answer to a GET of path (http.h). */
static void answer(void *ctx, const char *path, http_response_t *r)
{
    static __thread char line[320]; /* this server thread's; copied before it answers again */
    if (strcmp(path, "/healthz") == 0) {
        long stalled = datetime_monotonic_ms() - atomic_load(&last_heartbeat_ms);
        if (stalled > server.liveness_ms) {
            snprintf(line, sizeof line, "main loop has not turned for %ld s\n", stalled / 1000);
            *r = (http_response_t){503, text_type, line, strlen(line), NULL};
        } else {
            *r = (http_response_t){200, text_type, "ok\n", 3, NULL};
        }
    } else if (strcmp(path, "/readyz") == 0) {
        if (atomic_load(&health_metrics.ready)) {
            *r = (http_response_t){200, text_type, "ready\n", 6, NULL};
        } else {
            unready_reason(line, sizeof line);
            *r = (http_response_t){503, text_type, line, strlen(line), NULL};
        }
    } else if (strcmp(path, "/metrics") == 0) {
        char *page = NULL;
        size_t page_len = 0;
        FILE *out = open_memstream(&page, &page_len);
        if (out) {
            render_metrics(out);
            fclose(out);
        }
        if (page)
            *r = (http_response_t){200, "text/plain; version=0.0.4; charset=utf-8", page, page_len,
                                   page};
        else
            *r = (http_response_t){500, text_type, "out of memory\n", 14, NULL};
    } else {
        *r = (http_response_t){404, text_type, "not found\n", 10, NULL};
    }
}

int health_start(const char *service, const char *address, int port, int liveness_timeout_s,
                 char *errstr, size_t errstr_size)
{
    if (port == 0)
        return 0;
    if (server.http) {
        snprintf(errstr, errstr_size, "already serving on port %d", http_port(server.http));
        return -1;
    }
    if (port < -1 || port > 65535) {
        snprintf(errstr, errstr_size, "%d is not a port number", port);
        return -1;
    }
    snprintf(server.service, sizeof server.service, "%s", service);
    server.liveness_ms = 1000L * liveness_timeout_s;
    health_heartbeat();
    server.http = http_start(address, port < 0 ? 0 : port, answer, NULL, errstr, errstr_size);
    return server.http ? 0 : -1;
}

void health_stop(void)
{
    http_stop(server.http);
    server.http = NULL;
    pthread_mutex_lock(&lags.lock);
    for (size_t i = 0; i < lags.count; i++)
        free(lags.entries[i].topic);
    free(lags.entries);
    lags.entries = NULL;
    lags.count = lags.cap = 0;
    pthread_mutex_unlock(&lags.lock);
}

int health_port(void)
{
    return server.http ? http_port(server.http) : 0;
}

void health_heartbeat(void)
{
    atomic_store(&last_heartbeat_ms, datetime_monotonic_ms());
}

/* Only the service's thread writes fault and waiting, so it reads them
 * here unlocked. */
static void update_ready(void)
{
    atomic_store(&health_metrics.ready, atomic_load(&health_metrics.db_up) &&
                                            atomic_load(&health_metrics.kafka_up) && !fault[0] &&
                                            !waiting[0]);
}

void health_set_db_up(bool up)
{
    atomic_store(&health_metrics.db_up, up);
    update_ready();
}

void health_set_kafka_up(bool up)
{
    atomic_store(&health_metrics.kafka_up, up);
    update_ready();
}

void health_set_db_fault(const char *reason)
{
    pthread_mutex_lock(&fault_lock);
    snprintf(fault, sizeof fault, "%s", reason ? reason : "");
    pthread_mutex_unlock(&fault_lock);
    update_ready();
}

void health_set_waiting(const char *reason)
{
    pthread_mutex_lock(&fault_lock);
    snprintf(waiting, sizeof waiting, "%s", reason ? reason : "");
    pthread_mutex_unlock(&fault_lock);
    update_ready();
}

void health_observe_batch(long ms)
{
    atomic_fetch_add(&health_metrics.batch_ms_count, 1);
    atomic_fetch_add(&health_metrics.batch_ms_sum, ms);
    for (int i = HEALTH_BATCH_BUCKETS - 1; i >= 0 && ms <= batch_bounds_ms[i]; i--)
        atomic_fetch_add(&health_metrics.batch_ms_buckets[i], 1);
}

/* The entry of topic's partition, or NULL; under lags.lock. */
static partition_lag_t *find_lag(const char *topic, int32_t partition)
{
    for (size_t i = 0; i < lags.count; i++)
        if (lags.entries[i].partition == partition && strcmp(lags.entries[i].topic, topic) == 0)
            return &lags.entries[i];
    return NULL;
}

/* A new entry for topic's partition, or NULL when out of memory; under lags.lock. */
static partition_lag_t *add_lag(const char *topic, int32_t partition)
{
    if (lags.count == lags.cap) {
        size_t cap = lags.cap ? 2 * lags.cap : 8;
        partition_lag_t *grown = realloc(lags.entries, cap * sizeof *grown);
        if (!grown)
            return NULL;
        lags.entries = grown;
        lags.cap = cap;
    }
    char *copy = strdup(topic);
    if (!copy)
        return NULL;
    lags.entries[lags.count] = (partition_lag_t){copy, partition, 0};
    return &lags.entries[lags.count++];
}

int health_set_lag(const char *topic, int32_t partition, long lag)
{
    pthread_mutex_lock(&lags.lock);
    partition_lag_t *e = find_lag(topic, partition);
    if (!e)
        e = add_lag(topic, partition);
    if (e)
        e->lag = lag;
    pthread_mutex_unlock(&lags.lock);
    return e ? 0 : -1;
}

void health_forget_lag(const char *topic, int32_t partition)
{
    pthread_mutex_lock(&lags.lock);
    partition_lag_t *e = find_lag(topic, partition);
    if (e) {
        free(e->topic);
        *e = lags.entries[--lags.count];
    }
    pthread_mutex_unlock(&lags.lock);
}
