/* worker: the consume loop every event worker runs. A worker is a topic, the
 * protobuf message its events are, and the SQL function that applies a batch
 * of them; everything else lives here once:
 *
 *   poll into a batch (bounded by count, bytes and time, closed as soon as
 *   nothing more is in hand) -> decode and validate each message (bad ones
 *   to the dead-letter topic with the reason) -> one PostgreSQL transaction:
 *   offsets (fenced), dead letters logged, the batch folded into facts and
 *   what it touched marked dirty -> commit. The alert publisher evaluates
 *   the dirty posts (evaluate.h) in transactions of its own.
 *
 * Offsets live in PostgreSQL and are what partitions start from when
 * assigned; a crash at any instant loses nothing and applies nothing twice.
 * SIGTERM finishes the batch in hand and leaves the group; a second SIGTERM
 * exits at once (the open transaction rolls back). */
#ifndef SUCCESSION_WORKER_H
#define SUCCESSION_WORKER_H

typedef struct worker_spec {
    const char *name; /* service name, e.g. "vacancy-worker" */
    const char *kind; /* the events it consumes (events.h), e.g. "vacancy" */
    /* The SQL function that applies a batch, called with the topic, then one
     * array per column (partition, offset, then events_row's); returns one
     * row: applied, duplicate, parked. */
    const char *apply_function;
} worker_spec_t;

/* Runs the worker until SIGTERM/SIGINT. Returns the process exit status:
 * 0 after a clean shutdown, 2 on a configuration error (with a one-line
 * reason on stderr), 1 on a fatal error. */
int worker_main(const worker_spec_t *spec, int argc, char **argv);

#endif
