/* fieldpath: JSON paths for error messages. */
#include "fieldpath.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
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

void fieldpath_json_name(const char *field_name, char *buf, size_t buf_size)
{
    if (buf_size == 0)
        return;
    size_t n = 0;
    bool upper = false;
    for (const char *p = field_name; *p && n + 1 < buf_size; p++) {
        if (*p == '_') {
            upper = true;
            continue;
        }
        buf[n++] = upper ? (char)toupper((unsigned char)*p) : *p;
        upper = false;
    }
    buf[n] = '\0';
}
