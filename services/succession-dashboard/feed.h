/* feed: the dashboard's subscription. One consumer is given every
 * partition of succession.post-status.v1 and succession.programme-summary.v1
 * from their beginning (compacted: the whole current picture) and of
 * succession.alerts.v1 from far enough back to fill the live feed, and
 * never joins a consumer group, so every instance sees everything. Each
 * message goes into the store and, when it changed something, onto the bus
 * for the live clients. */
#ifndef SUCCESSION_DASHBOARD_FEED_H
#define SUCCESSION_DASHBOARD_FEED_H

#include <stdbool.h>
#include <stddef.h>

#include "bus.h"
#include "config.h"
#include "store.h"

typedef struct feed feed_t;

/* A consumer for cfg's brokers and topic prefix, filling store and bus
 * (both borrowed; they must outlive the feed). Nothing is asked of the
 * broker yet. Returns NULL with the reason in errstr (a bad Kafka setting,
 * out of memory); free with feed_free. */
feed_t *feed_new(const config_t *cfg, store_t *store, bus_t *bus, char *errstr, size_t errstr_size);

/* Learns every partition of the three topics and where each ends now, and
 * assigns them. Returns 0, or -1 with the reason (a topic missing, the
 * broker not answering): try again later. */
int feed_assign(feed_t *feed, char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

/* Waits up to timeout_ms for a message and takes what arrives. */
void feed_poll(feed_t *feed, int timeout_ms);

/* Whether every partition was read to the end it had when assigned; when
 * not, the first topic still being read is written to buf. */
bool feed_caught_up(const feed_t *feed, char *buf, size_t size);

/* Closes the consumer and frees the feed (NULL is fine). */
void feed_free(feed_t *feed);

#endif
