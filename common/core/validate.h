/* validate: the input contract of the three event topics, checked
 * generically over the message descriptors (shared/scenarios/README.md,
 * "Order of judgement", step 1). */
#ifndef SUCCESSION_VALIDATE_H
#define SUCCESSION_VALIDATE_H

#include <stddef.h>
#include <protobuf-c/protobuf-c.h>

#define VALIDATE_MAX_ID_LENGTH 64

/* Checks one decoded input event (a VacancyEvent, AppointmentEvent or
 * AppraisalEvent): header present with eventId, source and occurredAt; exactly
 * one event member; every field of the member present except the optional
 * ones (Appointed.end_date, SuccessorNominated.emergency_cover; the header's
 * correlation_id); every id (header.event_id, correlation_id when given, and
 * every field named *_id) not empty, not only whitespace and at most 64
 * characters; every enum value known and not the zero UNSPECIFIED value;
 * every date (fields *_date, vacant_from, assessed_on) a real YYYY-MM-DD date;
 * occurredAt a valid timestamp. Returns 0, or -1 with a reason a person can
 * act on in errstr, naming the JSON path ("successorNominated.readiness: enum
 * value READINESS_UNSPECIFIED is not allowed"). */
int validate_event(const ProtobufCMessage *event, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Checks the encoded bytes of an input event of type `descriptor` that
 * decoded, for what decoding hides: a string field holding a NUL byte, which
 * protobuf-c would read as a shorter string (so "id\0x" would pass as "id").
 * Returns 0, or -1 with the JSON path in errstr ("header.eventId: contains a
 * NUL byte"). */
int validate_wire(const ProtobufCMessageDescriptor *descriptor, const void *data, size_t len,
                  char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

#endif
