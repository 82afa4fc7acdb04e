/* framing: the two forms an input message takes on the wire. Either bare
 * protobuf, or the schema registry's wire format (Confluent's):
 *
 *   byte 0      magic byte 0
 *   bytes 1-4   the schema id, big-endian
 *   then        the message-index array: its length, then each index, all
 *               zig-zag varints; the single byte 0 stands for [0], the first
 *               message of the schema
 *   then        the protobuf message
 *
 * The two cannot be confused: a protobuf message starts with a field tag
 * (field number << 3 | wire type), field numbers start at 1, so the first
 * byte of valid bare protobuf is never 0. A leading 0 therefore always
 * means the framed form. The schema id is carried, not checked: no registry
 * is asked; the message index is what says which message the bytes are. */
#ifndef SUCCESSION_FRAMING_H
#define SUCCESSION_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest message-index path accepted (a message nested this deep). */
#define FRAMING_MAX_DEPTH 16
/* The most bytes framing_header writes. */
#define FRAMING_HEADER_MAX 11

typedef struct framing {
    bool framed;                         /* the registry's form, else bare protobuf */
    uint32_t schema_id;                  /* framed: the schema id as sent */
    size_t depth;                        /* framed: entries of indexes (1 or more) */
    uint32_t indexes[FRAMING_MAX_DEPTH]; /* framed: the message-index path */
    const uint8_t *message;              /* the protobuf bytes, within the input */
    size_t message_len;                  /* their length */
} framing_t;

/* Reads len bytes of input (a Kafka value; NULL only when len is 0) into
 * *out, which borrows from it. Bare protobuf (anything that does not start
 * with byte 0) is the whole input. Returns 0, or -1 with the reason in
 * errstr when the framed form is malformed: shorter than its header, a
 * varint longer than 5 bytes or over 32 bits, a negative length or index,
 * or a path deeper than FRAMING_MAX_DEPTH. */
int framing_parse(const void *input, size_t len, framing_t *out, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* True when f is bare, or framed with the one-entry path [index]: the
 * top-level message `index` of its schema's file. */
bool framing_names(const framing_t *f, uint32_t index);

/* Writes f's message-index path as "[4]" or "[1, 0]" into buf. */
void framing_path_text(const framing_t *f, char *buf, size_t size);

/* Writes the framed form's header for schema_id and the top-level message
 * `index` into buf (FRAMING_HEADER_MAX bytes at least). Returns its length:
 * 6 bytes for index 0, more for the others. */
size_t framing_header(uint32_t schema_id, uint32_t index, uint8_t *buf);

#endif
