/* base64: bytes as text and back (RFC 4648), the form the proto3 JSON
 * mapping gives to bytes and the form `dlq list --json` gives the bytes of a
 * dead letter. */
#ifndef SUCCESSION_BASE64_H
#define SUCCESSION_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* A new NUL-terminated string of len bytes of data (which may be NULL when
 * len is 0) in the standard alphabet with padding. Returns NULL when memory runs out;
 * the caller frees. */
char *base64_encode(const void *data, size_t len);

/* Decodes len characters of base64, in the standard or the URL-safe
 * alphabet, padding optional (as the mapping allows). Returns 0 and sets
 * *out to a new buffer of *out_len bytes (the caller frees; NULL when
 * empty), or -1 when the text is malformed or memory runs out (*out NULL,
 * *out_len 0). */
int base64_decode(const char *text, size_t len, uint8_t **out, size_t *out_len)
    __attribute__((warn_unused_result));

#endif
