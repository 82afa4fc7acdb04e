/* judge: step 1 of the order of judgement for one raw input message, with
 * no I/O: decode it, validate it, and conclude either the event as JSON for
 * the batch or why it is dead. Everything a dead letter records (its reason
 * and event id) is made safe for PostgreSQL text and Kafka headers here
 * (text.h), so that no message can be one that cannot be recorded. */
#ifndef SUCCESSION_JUDGE_H
#define SUCCESSION_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

/* Recorded ids are cut to this many bytes (ids are valid at 64 characters;
 * a dead letter's may be anything). */
#define JUDGE_ID_BYTES 480

typedef struct judgement {
    char *json;       /* valid: {"partition","offset","event"} as JSON text; owned; NULL: dead */
    size_t json_len;  /* its length */
    char reason[512]; /* dead: why, as clean text */
    char *event_id;   /* the header's event id as clean text, when there is one; owned */
} judgement_t;

/* Judges len bytes of payload (NULL: a tombstone) from a partition and
 * offset as an event of type descriptor, refusing more than max_event_bytes.
 * Returns 0 with *out filled (free with judgement_free), or -1 when memory
 * ran out (*out is then empty). */
int judge_message(const ProtobufCMessageDescriptor *descriptor, const void *payload, size_t len,
                  size_t max_event_bytes, int partition, long long offset, judgement_t *out)
    __attribute__((warn_unused_result));

/* Makes j dead with reason (made clean, cut to fit), dropping its JSON. */
void judgement_set_dead(judgement_t *j, const char *reason);

void judgement_free(judgement_t *j);

#endif
