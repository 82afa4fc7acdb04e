/* judge: step 1 of the order of judgement for one raw input message, with
 * no I/O: decode it, validate it, and conclude either the event's column
 * values for the batch (events.h) or why it is dead. Everything a dead letter records (its reason
 * and event id) is made safe for PostgreSQL text and Kafka headers here
 * (text.h), so that no message can be one that cannot be recorded. */
#ifndef SUCCESSION_JUDGE_H
#define SUCCESSION_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "events.h"

/* Recorded ids are cut to this many bytes (ids are valid at 64 characters;
 * a dead letter's may be anything). */
#define JUDGE_ID_BYTES 480

typedef struct judgement {
    char *row;        /* valid: the column values (events_row); owned; NULL: dead */
    size_t row_len;   /* its length */
    uint32_t nulls;   /* valid: the NULL columns */
    char reason[512]; /* dead: why, as clean text */
    char *event_id;   /* the header's event id as clean text, when there is one; owned */
} judgement_t;

/* Judges len bytes of payload (NULL: a tombstone) as an event of kind,
 * refusing more than max_event_bytes. The payload is bare protobuf or the
 * schema registry's framed form (framing.h), whose message index must name
 * the kind's event message. Returns 0 with *out filled (free with
 * judgement_free), or -1 when memory ran out (*out is then empty). */
int judge_message(const events_kind_t *kind, const void *payload, size_t len,
                  size_t max_event_bytes, judgement_t *out) __attribute__((warn_unused_result));

/* Makes j dead with reason (made clean, cut to fit), dropping its row. */
void judgement_set_dead(judgement_t *j, const char *reason);

void judgement_free(judgement_t *j);

#endif
