/* pbjson: the proto3 JSON mapping, generically, over protobuf-c descriptors.
 *
 * Field names are lowerCamelCase, enums are written by name (numbers are
 * accepted when reading), 64-bit integers as strings, bytes as base64,
 * google.protobuf.Timestamp as an RFC 3339 string, a oneof as its one set
 * member. Used by successionctl (JSON Lines in and out) and by the services
 * wherever a message is shown to people. */
#ifndef SUCCESSION_PBJSON_H
#define SUCCESSION_PBJSON_H

#include <jansson.h>
#include <protobuf-c/protobuf-c.h>

/* Builds a new message of type `descriptor` from the JSON object `json`.
 * Members absent from the JSON keep their defaults; an unknown member, a
 * value of the wrong JSON type, an unknown enum name, a number out of range
 * or an instant that is not RFC 3339 is an error. Enum numbers not in the
 * enum are accepted as given (so that bad input can be produced for tests);
 * semantic checks are validate.h's job. Returns 0 and sets *out (owned by the
 * caller, free with pbjson_free), or -1 with "path: reason" in errstr (e.g.
 * "header.occurredAt: not an RFC 3339 instant") and *out NULL. */
int pbjson_decode(const ProtobufCMessageDescriptor *descriptor, json_t *json,
                  ProtobufCMessage **out, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* How JSON is written out (json_dumps): one line, and doubles with 15
 * significant digits, so that a value rounded to one or two decimals reads
 * as written (66.7, not 66.700000000000003). */
#define PBJSON_DUMP_FLAGS (JSON_COMPACT | JSON_REAL_PRECISION(15))

/* Frees a message made by pbjson_decode (NULL is fine). */
void pbjson_free(ProtobufCMessage *message);

/* Returns a new JSON object for message (caller owns the reference), writing
 * every field including those at their default values (0, false, "", [])
 * except unset sub-messages and unset oneof members. Returns NULL only when
 * out of memory. */
json_t *pbjson_encode(const ProtobufCMessage *message);

/* A new JSON string of len bytes in standard base64 with padding (the
 * mapping's form of bytes, base64.h), or NULL when out of memory. */
json_t *pbjson_base64(const void *bytes, size_t len);

/* A new JSON string of len bytes of s (not NULL), any bytes: JSON cannot
 * carry malformed UTF-8, so when s is not well-formed each malformed byte
 * is written as \xNN (text_clean in text.h, the form `dlq list` shows).
 * Returns NULL when out of memory. */
json_t *pbjson_string(const void *s, size_t len);

#endif
