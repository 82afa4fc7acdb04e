/* framing: bare protobuf or the schema registry's framed form. */
#include "framing.h"

#include <stdio.h>
#include <string.h>

#define MAGIC       0
#define HEADER_SIZE 5 /* magic byte and schema id */
#define VARINT_MAX  5 /* bytes of a varint of 32 bits */

/* Reads one varint of at most 32 bits at *pos, moving *pos past it. Returns
 * 0, or -1 when the input ends inside it, or it is longer than VARINT_MAX
 * bytes or over 32 bits. */
static int read_varint(const uint8_t *in, size_t len, size_t *pos, uint32_t *value)
{
    uint64_t v = 0;
    for (size_t i = 0; i < VARINT_MAX; i++) {
        if (*pos >= len)
            return -1;
        uint8_t b = in[(*pos)++];
        v |= (uint64_t)(b & 0x7f) << (7 * i);
        if (!(b & 0x80)) {
            if (v > UINT32_MAX)
                return -1;
            *value = (uint32_t)v;
            return 0;
        }
    }
    return -1;
}

/* Reads one zig-zag varint that must not be negative. Returns 0 or -1 with
 * the reason in errstr, naming `what`. */
static int read_count(const uint8_t *in, size_t len, size_t *pos, const char *what, uint32_t *value,
                      char *errstr, size_t errstr_size)
{
    uint32_t raw;
    size_t at = *pos;
    if (read_varint(in, len, pos, &raw)) {
        snprintf(errstr, errstr_size,
                 "schema-registry framing: the %s at byte %zu is not a varint of at most %d "
                 "bytes and 32 bits",
                 what, at, VARINT_MAX);
        return -1;
    }
    if (raw & 1) { /* zig-zag: odd stands for a negative number */
        snprintf(errstr, errstr_size, "schema-registry framing: the %s at byte %zu is negative",
                 what, at);
        return -1;
    }
    *value = raw >> 1;
    return 0;
}

int framing_parse(const void *input, size_t len, framing_t *out, char *errstr, size_t errstr_size)
{
    const uint8_t *in = input;
    memset(out, 0, sizeof *out);
    /* A protobuf field tag is never 0 (field numbers start at 1), so bare
     * protobuf never starts with byte 0: a leading 0 is the framed form. */
    if (len == 0 || in[0] != MAGIC) {
        out->message = in;
        out->message_len = len;
        return 0;
    }
    if (len < HEADER_SIZE + 1) {
        snprintf(errstr, errstr_size,
                 "schema-registry framing: %zu bytes, shorter than its header (magic byte, "
                 "schema id, message index)",
                 len);
        return -1;
    }
    out->framed = true;
    out->schema_id = (uint32_t)in[1] << 24 | (uint32_t)in[2] << 16 | (uint32_t)in[3] << 8 | in[4];
    size_t pos = HEADER_SIZE;
    uint32_t depth;
    if (read_count(in, len, &pos, "message-index length", &depth, errstr, errstr_size))
        return -1;
    if (depth > FRAMING_MAX_DEPTH) {
        snprintf(errstr, errstr_size,
                 "schema-registry framing: a message-index path of %u entries, more than %d", depth,
                 FRAMING_MAX_DEPTH);
        return -1;
    }
    out->depth = depth ? depth : 1; /* length 0 stands for [0] */
    for (uint32_t i = 0; i < depth; i++)
        if (read_count(in, len, &pos, "message index", &out->indexes[i], errstr, errstr_size))
            return -1;
    out->message = in + pos;
    out->message_len = len - pos;
    return 0;
}

bool framing_names(const framing_t *f, uint32_t index)
{
    return !f->framed || (f->depth == 1 && f->indexes[0] == index);
}

void framing_path_text(const framing_t *f, char *buf, size_t size)
{
    size_t n = (size_t)snprintf(buf, size, "[");
    for (size_t i = 0; i < f->depth && n < size; i++)
        n += (size_t)snprintf(buf + n, size - n, "%s%u", i ? ", " : "", f->indexes[i]);
    if (n < size)
        snprintf(buf + n, size - n, "]");
}

/* Writes v as a varint at buf; returns its length. */
static size_t write_varint(uint32_t v, uint8_t *buf)
{
    size_t n = 0;
    for (; v >= 0x80; v >>= 7)
        buf[n++] = (uint8_t)(v | 0x80);
    buf[n++] = (uint8_t)v;
    return n;
}

size_t framing_header(uint32_t schema_id, uint32_t index, uint8_t *buf)
{
    buf[0] = MAGIC;
    buf[1] = (uint8_t)(schema_id >> 24);
    buf[2] = (uint8_t)(schema_id >> 16);
    buf[3] = (uint8_t)(schema_id >> 8);
    buf[4] = (uint8_t)schema_id;
    if (index == 0) {
        buf[HEADER_SIZE] = 0; /* the short form of [0] */
        return HEADER_SIZE + 1;
    }
    /* Zig-zag of a non-negative n is 2n; an index is below 2^31. */
    size_t n = HEADER_SIZE + write_varint(2, buf + HEADER_SIZE);
    return n + write_varint((index & 0x7fffffffu) << 1, buf + n);
}
