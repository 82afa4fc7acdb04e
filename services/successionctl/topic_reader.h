/* topic_reader: how successionctl reads a topic: every partition from its
 * beginning to the end it has when the read starts, or following it as it
 * grows, with a callback per message. The consumer is given its partitions
 * and never joins a group, so a read leaves nothing behind in Kafka. */
#ifndef SUCCESSIONCTL_TOPIC_READER_H
#define SUCCESSIONCTL_TOPIC_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <librdkafka/rdkafka.h>

#include "config.h"

#define READER_MAX_PARTITIONS 256 /* the most partitions a topic may have to be read */

typedef struct reader reader_t;

/* Called for every message read, in offset order within each partition;
 * m is borrowed for the call. */
typedef void (*reader_visit_fn)(const rd_kafka_message_t *m, void *arg);

/* A reader of `topic` (copied). `command` (borrowed; a string constant)
 * names the command in the broker trouble it reports on stderr while
 * reading. Nothing is asked of the broker yet. Returns NULL with the reason
 * in errstr (a bad Kafka setting, out of memory); free with reader_free. */
reader_t *reader_new(const config_t *cfg, const char *command, const char *topic, char *errstr,
                     size_t errstr_size);

/* Learns the partitions of the topic and where each ends now (its high
 * watermark): what reader_read reads up to and reader_holds checks
 * against. reader_read and reader_follow do this first when it was not
 * done. Returns 0, or -1 with the reason. */
int reader_measure(reader_t *r, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Whether offset of partition is in the measured topic: the partition
 * exists and its low watermark <= offset < its measured end. False when
 * the topic was not measured or the broker does not answer. */
bool reader_holds(reader_t *r, int partition, long long offset);

/* Reads every partition from its beginning to its measured end, calling
 * visit for each message. Returns 0, or -1 with the reason when
 * interrupted (service_running) or when the broker gave nothing for 30 s. */
int reader_read(reader_t *r, reader_visit_fn visit, void *arg, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Reads every partition from its beginning (from_beginning) or from what
 * comes next, calling visit for each message, until interrupted, or, when
 * idle_ms > 0, until every partition reached its end and nothing came for
 * idle_ms. Returns 0, or -1 with the reason when the partitions cannot be
 * learnt or assigned. */
int reader_follow(reader_t *r, bool from_beginning, long idle_ms, reader_visit_fn visit, void *arg,
                  char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

/* Closes the consumer and frees r (NULL is fine). */
void reader_free(reader_t *r);

#endif
