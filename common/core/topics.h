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

#endif
