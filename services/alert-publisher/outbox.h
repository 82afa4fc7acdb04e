/* outbox: relays the rows the evaluator wrote in the model's transactions to
 * the alert, post-status and programme-summary topics (by the row's kind), in
 * outbox order, keyed by post id (a summary's by its group), and
 * deletes each row only after Kafka reported it persisted. A row Kafka
 * refuses for good (too large, say) is moved to outbox_failed, so that one
 * row never stops the rest. */
#ifndef SUCCESSION_OUTBOX_H
#define SUCCESSION_OUTBOX_H

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "db.h"

/* What one relay round did. */
typedef struct outbox_round {
    long relayed; /* rows persisted and deleted */
    long failed;  /* rows refused for good, moved to outbox_failed */
    long read;    /* rows read */
} outbox_round_t;

/* Sends up to max_rows of the oldest outbox rows with `producer` (which must
 * be idempotent and have outbox_delivery_cb as its delivery callback), waits
 * for every delivery report, deletes the persisted rows and moves the
 * refused ones aside. A row that was not persisted for a reason that may
 * pass (Kafka down, a timeout) stays, and so do the later rows of its post,
 * so that a post's messages are re-sent in order. Returns DB_OK and fills
 * *round, or another status with the reason in errstr. */
db_status_t outbox_relay(db_t *db, rd_kafka_t *producer, const config_t *cfg, int max_rows,
                         outbox_round_t *round, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* The delivery callback outbox_relay() relies on (each message's opaque is
 * its row's bookkeeping). */
void outbox_delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);

#endif
