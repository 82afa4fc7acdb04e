/* outbox: relays the rows the evaluator wrote in the model's transactions to
 * the alert and post-status topics, in outbox order, keyed by post id, and
 * deletes each row only after Kafka reported it persisted. */
#ifndef SUCCESSION_OUTBOX_H
#define SUCCESSION_OUTBOX_H

#include <librdkafka/rdkafka.h>

#include "config.h"
#include "db.h"

/* Sends up to max_rows of the oldest outbox rows with `producer` (which must
 * be idempotent and have outbox_delivery_cb as its delivery callback), waits
 * for every delivery report, and deletes the persisted rows. A row that was
 * not persisted stays, and so do the later rows of its post, so that a post's
 * messages are re-sent in order. Returns the number of rows deleted (0 when
 * the outbox is empty), or -1 with the reason in errstr; *status says whether
 * the database is the trouble. */
long outbox_relay(db_t *db, rd_kafka_t *producer, const config_t *cfg, int max_rows,
                  db_status_t *status, char *errstr, size_t errstr_size);

/* The delivery callback outbox_relay() relies on. */
void outbox_delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque);

#endif
