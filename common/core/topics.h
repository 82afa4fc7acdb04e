/* topics: the names of the topics the system reads and writes, before the
 * deployment's prefix (config_topic in io/config.h prepends it). */
#ifndef SUCCESSION_TOPICS_H
#define SUCCESSION_TOPICS_H

#define TOPIC_VACANCY     "succession.vacancy.v1"
#define TOPIC_APPOINTMENT "succession.appointment.v1"
#define TOPIC_APPRAISAL   "succession.appraisal.v1"
#define TOPIC_ALERTS      "succession.alerts.v1"
#define TOPIC_POST_STATUS "succession.post-status.v1"
#define TOPIC_DLQ         "succession.dlq.v1"
#define TOPIC_PROGRAMME   "succession.programme-summary.v1"

/* The headers a dead letter carries (README.md, "Dead letters"). */
#define DLQ_REASON            "dlq.reason"
#define DLQ_SOURCE_TOPIC      "dlq.source.topic"
#define DLQ_SOURCE_PARTITION  "dlq.source.partition"
#define DLQ_SOURCE_OFFSET     "dlq.source.offset"
#define DLQ_WORKER            "dlq.worker"
#define DLQ_TRUNCATED         "dlq.truncated"
#define DLQ_ORIGINAL_SIZE     "dlq.original.size"
#define DLQ_ORIGINAL_SHA256   "dlq.original.sha256"
#define DLQ_ORIGINAL_KEY_SIZE "dlq.original.key-size"

#endif
