/* text: what untrusted bytes must become before they go where text goes.
 *
 * Ids, reasons and keys come from upstream systems and may be any bytes.
 * PostgreSQL's text refuses malformed UTF-8 and NUL, JSON cannot carry
 * malformed UTF-8, and a terminal obeys the control characters in what it
 * prints. This module is the one place that knows UTF-8 and makes text safe
 * for each of those, always the same way: a byte that cannot stay is written
 * as the four characters \xNN (hexadecimal, upper case). */
#ifndef SUCCESSION_TEXT_H
#define SUCCESSION_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at p, of at most avail bytes (1
 * to 4), or 0 when it is malformed (overlong, a surrogate, past U+10FFFF,
 * cut short) or avail is 0. */
size_t text_utf8_sequence(const unsigned char *p, size_t avail);

/* Counts the characters (code points) of the NUL-terminated s into *chars.
 * Returns 0, or -1 when s is not well-formed UTF-8. */
int text_utf8_length(const char *s, size_t *chars) __attribute__((warn_unused_result));

/* True when len bytes of s are well-formed UTF-8 without NUL. */
bool text_is_clean(const void *s, size_t len);

enum {
    TEXT_CONTROLS = 1, /* also escape control characters (C0, DEL, C1): for a terminal */
};

/* A new NUL-terminated copy of len bytes of s that is well-formed UTF-8
 * without NUL: every byte that is not part of a well-formed sequence, and
 * every NUL, becomes \xNN; with TEXT_CONTROLS every control character does
 * too (C1 ones as their two bytes). A result longer than max_bytes (not
 * counting the NUL; at least 8) is cut at a character boundary and ends in
 * "...". Returns NULL when s is NULL or memory runs out; the caller frees. */
char *text_clean(const void *s, size_t len, size_t max_bytes, int flags);

/* The same into buf of size bytes (at least 8), cut as above to fit; NULL
 * s gives "". Returns buf. For display, where the width is bounded anyway. */
char *text_clean_into(const void *s, size_t len, int flags, char *buf, size_t size);

#endif
