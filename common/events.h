/* events: the three input topics, what each carries and how it is keyed
 * (DOMAIN.md, "Events (input)"). */
#ifndef SUCCESSION_EVENTS_H
#define SUCCESSION_EVENTS_H

#include <protobuf-c/protobuf-c.h>

typedef struct events_kind {
    const char *name;                             /* "vacancy": the JSON Lines "topic" member */
    const char *topic;                            /* topic name before the prefix */
    const ProtobufCMessageDescriptor *descriptor; /* the topic's event message */
    const char *key_field;                        /* body field that is the message key */
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

#endif
