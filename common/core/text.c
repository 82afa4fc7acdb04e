/* text: UTF-8 checks and the one way untrusted bytes are made safe. */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ELLIPSIS "..."

size_t text_utf8_sequence(const unsigned char *p, size_t avail)
{
    if (avail == 0)
        return 0;
    unsigned c = p[0];
    size_t n;
    uint32_t v, min;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    if (n > avail)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return n;
}

int text_utf8_length(const char *s, size_t *chars)
{
    size_t count = 0, len = strlen(s);
    for (size_t i = 0; i < len; count++) {
        size_t k = text_utf8_sequence((const unsigned char *)s + i, len - i);
        if (k == 0)
            return -1;
        i += k;
    }
    *chars = count;
    return 0;
}

bool text_is_clean(const void *s, size_t len)
{
    const unsigned char *p = s;
    for (size_t i = 0; i < len;) {
        size_t k = text_utf8_sequence(p + i, len - i);
        if (k == 0 || p[i] == 0)
            return false;
        i += k;
    }
    return true;
}

/* Whether the well-formed sequence of k bytes at p is a control character. */
static bool is_control(const unsigned char *p, size_t k)
{
    return (k == 1 && (p[0] < 0x20 || p[0] == 0x7F)) || (k == 2 && p[0] == 0xC2 && p[1] < 0xA0);
}

/* Writes the clean form of len bytes of s into out, stopping before it
 * would pass limit bytes; returns its length and sets *consumed (when not
 * NULL) to the input bytes used. With out NULL, only measures. */
static size_t clean_walk(const unsigned char *s, size_t len, int flags, char *out, size_t limit,
                         size_t *consumed)
{
    size_t n = 0, i = 0;
    while (i < len) {
        size_t k = text_utf8_sequence(s + i, len - i);
        bool escape = k == 0 || s[i] == 0 || ((flags & TEXT_CONTROLS) && is_control(s + i, k));
        size_t piece = escape ? 4 * (k ? k : 1) : k;
        if (n + piece > limit)
            break;
        if (out && escape) {
            for (size_t j = 0; j < (k ? k : 1); j++)
                snprintf(out + n + 4 * j, 5, "\\x%02X", s[i + j]);
        } else if (out) {
            memcpy(out + n, s + i, k);
        }
        n += piece;
        i += k ? k : 1;
    }
    if (consumed)
        *consumed = i;
    return n;
}

/* Writes the clean text into out (room for max_bytes + 1), cut as the
 * header says. Returns its length. */
static size_t clean_write(const unsigned char *s, size_t len, int flags, char *out,
                          size_t max_bytes)
{
    size_t consumed;
    size_t full = clean_walk(s, len, flags, NULL, max_bytes, &consumed);
    size_t n;
    if (consumed == len) {
        n = clean_walk(s, len, flags, out, full, NULL);
    } else {
        n = clean_walk(s, len, flags, out, max_bytes - strlen(ELLIPSIS), NULL);
        memcpy(out + n, ELLIPSIS, strlen(ELLIPSIS));
        n += strlen(ELLIPSIS);
    }
    out[n] = '\0';
    return n;
}

char *text_clean(const void *s, size_t len, size_t max_bytes, int flags)
{
    if (!s)
        return NULL;
    if (max_bytes < 8)
        max_bytes = 8;
    size_t need = clean_walk(s, len, flags, NULL, max_bytes, NULL);
    char *out = malloc(need + strlen(ELLIPSIS) + 1);
    if (!out)
        return NULL;
    clean_write(s, len, flags, out, max_bytes);
    return out;
}

char *text_clean_into(const void *s, size_t len, int flags, char *buf, size_t size)
{
    if (!s) {
        buf[0] = '\0';
        return buf;
    }
    clean_write(s, len, flags, buf, size - 1);
    return buf;
}
