/* health: liveness, readiness and metrics, served by http.c. */
#include "health.h"

#include <pthread.h>
#include <stdio.h>
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

static const char *const outcomes[] = {"applied", "duplicate", "parked", "dead"};
static atomic_long *const outcome_counts[] = {
    &health_metrics.messages_applied, &health_metrics.messages_duplicate,
    &health_metrics.messages_parked, &health_metrics.messages_dead};

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
