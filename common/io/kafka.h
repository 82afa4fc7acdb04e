/* kafka: librdkafka handles built from the configuration. Every -X property
 * and the properties file pass straight through, so TLS, SASL and any broker
 * work without code changes. */
#ifndef SUCCESSION_KAFKA_H
#define SUCCESSION_KAFKA_H

#include <stdbool.h>
#include <stddef.h>
#include <librdkafka/rdkafka.h>

#include "config.h"

/* A new librdkafka configuration: bootstrap.servers from cfg, then
 * `defaults` (NULL-terminated key, value pairs), then the properties file
 * and -X pairs, then `extra` (pairs the service itself needs; these win). Logs go through log.h.
 * Returns NULL with "key: problem" in errstr. Ownership: the caller owns the result until it hands
 * it to rd_kafka_new(). */
rd_kafka_conf_t *kafka_conf_new(const config_t *cfg, const char *const *defaults,
                                const char *const *extra, char *errstr, size_t errstr_size);

/* A producer; with idempotent, enable.idempotence=true (acks=all, ordered
 * retries), linger.ms 1 unless -X says otherwise. Its client-wide errors are logged, and "all
 * brokers down" marks Kafka down for readiness (health.h). A message not delivered in 30 s
 * (message.timeout.ms, which -X can change) is reported failed, so callers can retry it themselves.
 * Delivery reports go to dr_cb when not NULL, with `opaque` as the handle's opaque. Returns NULL
 * with the reason in errstr. */
rd_kafka_t *kafka_producer_new(const config_t *cfg, bool idempotent,
                               void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                               void *opaque, char *errstr, size_t errstr_size);

/* Whether a broker answers a metadata request within timeout_ms: 0, or -1. */
int kafka_reachable(rd_kafka_t *rk, int timeout_ms) __attribute__((warn_unused_result));

/* Creates the topics of the system if they do not exist, each with
 * `replication` replicas: inputs, alerts and post status with `partitions`
 * partitions (post status compacted), the dead-letter topic with one.
 * Returns 0, or -1 with the topic and reason in errstr. */
int kafka_create_topics(rd_kafka_t *rk, const config_t *cfg, int partitions, int replication,
                        char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

/* The high watermark (next offset to be written) of every partition of
 * `topic`, indexed by partition id into high[0..*count-1] (at most max). Returns 0 or -1 with the
 * reason. */
int kafka_high_watermarks(rd_kafka_t *rk, const char *topic, long long *high, int max, int *count,
                          char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

#endif
