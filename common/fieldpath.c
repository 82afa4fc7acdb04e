/* fieldpath: JSON paths for error messages. */
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
