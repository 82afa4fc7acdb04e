/* health: liveness, readiness and Prometheus metrics over HTTP/1.0, served
 * on 127.0.0.1 by one background thread, so that the service's own thread
 * never waits on a scraper: it only stores atomics.
 *
 *   GET /healthz  200 "ok" while the process runs
 *   GET /readyz   200 "ready", or 503 with the reason
 *   GET /metrics  Prometheus text format 0.0.4
 *
 * One request per connection; other paths get 404, other methods 405. */
#ifndef SUCCESSION_HEALTH_H
#define SUCCESSION_HEALTH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

/* What /metrics and /readyz report. Counters only grow; services add to them
 * with atomic_fetch_add and set gauges through the functions below (or
 * atomic_store for last_batch_ms). Every field is safe to touch from any
 * thread; the server thread only reads. */
typedef struct health_metrics {
    /* Counters. */
    atomic_long messages_valid;  /* messages of applied batches that were valid ... */
    atomic_long messages_dead;   /* ... and dead-lettered */
    atomic_long batches;         /* batch transactions committed */
    atomic_long batch_failures;  /* batch transaction attempts that failed */
    atomic_long posts_evaluated; /* posts judged by the evaluator */
    atomic_long alerts_queued;   /* alerts written to the outbox */
    atomic_long statuses_queued; /* post status snapshots written to the outbox */
    atomic_long outbox_relayed;  /* outbox rows Kafka confirmed (publisher) */
    /* Gauges. */
    atomic_long last_batch_ms; /* how long the last applied batch took */
    atomic_long db_up;         /* 1: PostgreSQL answered at the last attempt */
    atomic_long kafka_up;      /* 1: Kafka not known to be down */
    atomic_long ready;         /* db_up && kafka_up */
} health_metrics_t;

/* Starts at zero, but kafka_up at 1: only librdkafka's "all brokers down"
 * report takes it to 0. */
extern health_metrics_t health_metrics;

/* Serves the endpoints on address:port (an IPv4 address; 127.0.0.1 unless
 * told otherwise, 0.0.0.0 for probes from outside) from a new thread, labelling the
 * metrics with service="<service>" (copied). Port 0: does nothing and returns
 * 0; port -1: any free port (see health_port()). Returns 0, or -1 with the
 * address and the reason in errstr (the port taken, not a port number, or
 * already serving). */
int health_start(const char *service, const char *address, int port, char *errstr,
                 size_t errstr_size) __attribute__((warn_unused_result));

/* Stops the thread, waiting for a request in progress (at most a few
 * seconds), and closes the socket. Does nothing when not serving. */
void health_stop(void);

/* The port being served, or 0 when not serving. */
int health_port(void);

/* Record whether PostgreSQL answered, and whether Kafka is reachable, at the
 * last attempt; ready follows as both. Call them from one thread (the
 * service's own), so that ready never lags the two. */
void health_set_db_up(bool up);
void health_set_kafka_up(bool up);

#endif
