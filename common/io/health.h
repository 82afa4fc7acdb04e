/* health: liveness, readiness and Prometheus metrics over HTTP (http.h), so
 * that the service's own thread never waits on a scraper: it only stores
 * atomics, and beats a heartbeat each time its main loop turns.
 *
 *   GET /healthz  200 "ok" while the main loop turns; 503 when it has not
 *                 turned within the liveness timeout (the process is wedged)
 *   GET /readyz   200 "ready", or 503 with the reason
 *   GET /metrics  Prometheus text format 0.0.4
 *
 * Other paths get 404, methods other than GET and HEAD 405. */
#ifndef SUCCESSION_HEALTH_H
#define SUCCESSION_HEALTH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Buckets of the batch duration histogram (their bounds are in health.c). */
#define HEALTH_BATCH_BUCKETS 11

/* What /metrics and /readyz report. Counters only grow; services add to them
 * with atomic_fetch_add and set gauges with atomic_store or the functions
 * below. Every field is safe to touch from any thread; the server thread
 * only reads. */
typedef struct health_metrics {
    /* Counters. */
    atomic_long messages_applied;     /* messages of committed batches, by outcome ... */
    atomic_long messages_duplicate;   /* ... */
    atomic_long messages_parked;      /* ... */
    atomic_long messages_dead;        /* ... dead-lettered */
    atomic_long dead_letters_bounded; /* dead letters sent as the bounded record */
    atomic_long batches;              /* batch transactions committed */
    atomic_long batch_failures;       /* batch transaction attempts that failed */
    atomic_long lock_wait_ms;         /* time batches waited for person and post locks */
    atomic_long posts_evaluated;      /* posts judged by the evaluator */
    atomic_long alerts_queued;        /* alerts written to the outbox */
    atomic_long statuses_queued;      /* post status snapshots written to the outbox */
    atomic_long summaries_queued;     /* programme summaries written to the outbox */
    atomic_long outbox_relayed;       /* outbox rows Kafka confirmed (publisher) */
    atomic_long outbox_failed;        /* outbox rows Kafka refused for good, set aside */
    atomic_long dashboard_dropped;    /* statuses of posts beyond the dashboard's maximum */
    /* Gauges. */
    atomic_long last_batch_ms;    /* how long the last applied batch took */
    atomic_long outbox_depth;     /* rows waiting in the outbox (publisher) */
    atomic_long outbox_oldest_ms; /* age of the oldest of them (publisher) */
    atomic_long db_up;            /* 1: PostgreSQL answered at the last attempt */
    atomic_long kafka_up;         /* 1: Kafka not known to be down */
    atomic_long ready;            /* db_up && kafka_up, no database fault, nothing awaited */
    atomic_long posts_held;       /* posts the dashboard holds */
    atomic_long live_clients;     /* live clients of the dashboard */
    /* The batch duration histogram (health_observe_batch). */
    atomic_long batch_ms_buckets[HEALTH_BATCH_BUCKETS]; /* batches within each bound */
    atomic_long batch_ms_sum;
    atomic_long batch_ms_count;
} health_metrics_t;

/* Starts at zero, but kafka_up at 1: only librdkafka's "all brokers down"
 * report takes it to 0. */
extern health_metrics_t health_metrics;

/* Serves the endpoints on address:port (an IPv4 address; 127.0.0.1 unless
 * told otherwise, 0.0.0.0 for probes from outside) from a thread of its own,
 * labelling the metrics with service="<service>" (copied). /healthz fails
 * once the heartbeat is older than liveness_timeout_s seconds. Port 0: does
 * nothing and returns 0; port -1: any free port (see health_port()). Returns
 * 0, or -1 with the address and the reason in errstr (the port taken, not a
 * port number, or already serving). */
int health_start(const char *service, const char *address, int port, int liveness_timeout_s,
                 char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

/* Stops serving, waiting for requests in progress. Does nothing when not
 * serving. */
void health_stop(void);

/* The port being served, or 0 when not serving. */
int health_port(void);

/* The main loop turned: called at every poll and every retry, so that only a
 * loop stuck somewhere makes /healthz fail. */
void health_heartbeat(void);

/* Record whether PostgreSQL answered, and whether Kafka is reachable, at the
 * last attempt; and the database fault in the way (a server error that is
 * not the data's: permissions, a missing object, a timeout), NULL when none.
 * Ready follows as all three. Call them from one thread (the service's own),
 * so that ready never lags them. */
void health_set_db_up(bool up);
void health_set_kafka_up(bool up);
void health_set_db_fault(const char *reason);

/* What the service still waits for before it can serve (e.g. reading a
 * topic to its end), NULL when nothing: /readyz shows it as the reason.
 * From the service's thread, as above. */
void health_set_waiting(const char *reason);

/* Adds a committed batch that took ms milliseconds (retries included) to
 * succession_batch_duration_seconds. Any thread. */
void health_observe_batch(long ms);

/* The consumer lag of an assigned partition of topic (messages from the
 * next offset stored in PostgreSQL up to the high watermark), shown as
 * succession_consumer_lag{topic,partition} until forgotten (revoked) or
 * the server stops. Returns 0, or -1 when out of memory (the partition is
 * then not shown). Any thread. */
int health_set_lag(const char *topic, int32_t partition, long lag)
    __attribute__((warn_unused_result));
void health_forget_lag(const char *topic, int32_t partition);

#endif
