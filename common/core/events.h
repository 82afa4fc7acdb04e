/* events: the three input topics, what each carries and how it is keyed
 * (DOMAIN.md, "Events (input)"). */
#ifndef SUCCESSION_EVENTS_H
#define SUCCESSION_EVENTS_H

#include <protobuf-c/protobuf-c.h>

/* A batch of one topic goes to PostgreSQL as columns, one array per field
 * (events_row): the event member's JSON name, the header's event id and
 * occurred-at instant, then the body fields named here, in this order, as
 * the topic's apply function takes them (deploy/migrations). */
#define EVENTS_MAX_COLUMNS  16
#define EVENTS_HEAD_COLUMNS 3 /* event member, event id, occurred at */

typedef struct events_kind {
    const char *name;                             /* "vacancy": the JSON Lines "topic" member */
    const char *topic;                            /* topic name before the prefix */
    const ProtobufCMessageDescriptor *descriptor; /* the topic's event message */
    unsigned message_index;     /* its place among the top-level messages of its .proto
                                   file, counted from 0: the schema registry's message
                                   index (framing.h) */
    const char *key_field;      /* body field that is the message key */
    const char *const *columns; /* body fields (snake_case), NULL-terminated */
} events_kind_t;

extern const events_kind_t events_kinds[];
extern const size_t events_kind_count;

/* The kind named `name` ("vacancy", "appointment", "appraisal"), or NULL. */
const events_kind_t *events_kind_by_name(const char *name);

/* The kind whose message is `descriptor`, or NULL. */
const events_kind_t *events_kind_by_descriptor(const ProtobufCMessageDescriptor *descriptor);

/* The set event member of an input event (the oneof body), or NULL. */
const ProtobufCMessage *events_body(const ProtobufCMessage *event);

/* The Kafka key of an input event: its body's post id (vacancy and
 * appointment topics) or person id (appraisal); NULL when there is none.
 * Borrowed from the message. */
const char *events_key(const ProtobufCMessage *event);

/* The number of columns of a kind's batches: the head columns and its body
 * fields. */
size_t events_column_count(const events_kind_t *kind);

/* The column values of a valid event of kind, as PostgreSQL reads them in
 * text form, into *row: each value NUL-terminated, one after the other, in
 * column order; bit c of *nulls set where column c is NULL (a field the
 * event member does not have, or an empty one). Enums are written by name,
 * bools as true/false, the instant in RFC 3339. Returns 0 with *row owned by
 * the caller (free), or -1 when out of memory. */
int events_row(const events_kind_t *kind, const ProtobufCMessage *event, char **row,
               size_t *row_len, uint32_t *nulls) __attribute__((warn_unused_result));

#endif
