/* fieldpath: JSON paths for error messages, and UTF-8 checks. */
#include "fieldpath.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#define REASON_SIZE 256

void fieldpath_init(fieldpath_t *fp, char *errstr, size_t errstr_size)
{
    fp->path[0] = '\0';
    fp->len = 0;
    fp->errstr = errstr;
    fp->errstr_size = errstr_size;
}

size_t fieldpath_push(fieldpath_t *fp, const char *name, size_t index)
{
    size_t old = fp->len;
    int n = name ? snprintf(fp->path + old, FIELDPATH_SIZE - old, old ? ".%s" : "%s", name)
                 : snprintf(fp->path + old, FIELDPATH_SIZE - old, "[%zu]", index);
    fp->len = n < 0 ? old : old + (size_t)n;
    if (fp->len >= FIELDPATH_SIZE)
        fp->len = FIELDPATH_SIZE - 1;
    return old;
}

void fieldpath_pop(fieldpath_t *fp, size_t old)
{
    fp->len = old;
    fp->path[old] = '\0';
}

int fieldpath_fail(fieldpath_t *fp, const char *fmt, ...)
{
    char reason[REASON_SIZE];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    if (fp->errstr_size > 0)
        snprintf(fp->errstr, fp->errstr_size, "%s%s%s", fp->path, fp->len ? ": " : "", reason);
    return -1;
}

size_t fieldpath_utf8_sequence(const unsigned char *p)
{
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
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (p[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    return n;
}

int fieldpath_utf8_length(const char *s, size_t *chars)
{
    size_t count = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; count++) {
        size_t k = fieldpath_utf8_sequence(p);
        if (k == 0)
            return -1;
        p += k;
    }
    *chars = count;
    return 0;
}
