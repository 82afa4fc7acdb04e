/* dlq: what `dlq list` (cmd_dlq_list.c) and `dlq replay` (cmd_dlq_replay.c)
 * share: the usage, what a worker's dead-letter headers say, and the input
 * topics a dead letter may go back to. */
#ifndef SUCCESSIONCTL_DLQ_H
#define SUCCESSIONCTL_DLQ_H

#include <stdbool.h>
#include <librdkafka/rdkafka.h>

#include "ctl.h"
#include "events.h"

/* The dead-letter headers of one message (owned copies; NULL when absent). */
typedef struct dlq_letter {
    char *reason, *source_topic, *worker;
    long long source_partition, source_offset; /* -1 when absent */
    /* A letter too large to copy keeps only its first bytes: */
    bool truncated;
    long long original_size; /* -1 when absent */
    char *original_sha256;
} dlq_letter_t;

/* Reads the dead-letter headers of m into l; free with dlq_letter_free.
 * Out of memory reads as absent headers. */
void dlq_letter_read(dlq_letter_t *l, const rd_kafka_message_t *m);
void dlq_letter_free(dlq_letter_t *l);

/* The input kind whose topic (with the configured prefix) is `topic`, or
 * NULL (also for NULL topic): dead letters are replayed only to these. */
const events_kind_t *dlq_input_kind(const config_t *cfg, const char *topic);

/* Prints the usage of `dlq` on stderr. */
void dlq_usage(void);

/* The subcommands; argv[1] is "list" or "replay". Return the exit status. */
int dlq_list(ctl_t *ctl, int argc, char **argv);
int dlq_replay(ctl_t *ctl, int argc, char **argv);

#endif
