/* worker: the consume loop every event worker runs. A worker is a topic, the
 * protobuf message its events are, and the SQL function that applies a batch
 * of them; everything else lives here once:
 *
 *   poll into a batch (bounded by count and time) -> decode and validate each
 *   message (bad ones to the dead-letter topic with the reason) -> one
 *   PostgreSQL transaction: offsets (fenced), dead letters logged, the
 *   batch applied, affected posts evaluated -> commit.
 *
 * Offsets live in PostgreSQL and are what partitions start from when
 * assigned; a crash at any instant loses nothing and applies nothing twice.
 * SIGTERM finishes the batch in hand and leaves the group; a second SIGTERM
 * exits at once (the open transaction rolls back). */
#ifndef SUCCESSION_WORKER_H
#define SUCCESSION_WORKER_H

#include <protobuf-c/protobuf-c.h>

typedef struct worker_spec {
    const char *name;                             /* service name, e.g. "vacancy-worker" */
    const char *topic;                            /* input topic before the prefix */
    const ProtobufCMessageDescriptor *descriptor; /* the topic's event message */
    /* Applies a batch: $1 topic, $2 JSON array of {partition, offset,
     * event}; returns rows (post_id, caused_by, applied, duplicate, parked,
     * lock_wait_ms): the locked posts to evaluate, with the batch's outcome
     * counts and lock wait on every row (one row with a NULL post_id when
     * there is no post). */
    const char *apply_sql;
} worker_spec_t;

/* Runs the worker until SIGTERM/SIGINT. Returns the process exit status:
 * 0 after a clean shutdown, 2 on a configuration error (with a one-line
 * reason on stderr), 1 on a fatal error. */
int worker_main(const worker_spec_t *spec, int argc, char **argv);

#endif
