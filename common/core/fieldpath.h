/* fieldpath: where in a message or JSON document a check failed, written as
 * a JSON path ("successors[2].personId"), and the "path: reason" message a
 * person can act on. */
#ifndef SUCCESSION_FIELDPATH_H
#define SUCCESSION_FIELDPATH_H

#include <stddef.h>

#define FIELDPATH_SIZE 256

typedef struct fieldpath {
    char path[FIELDPATH_SIZE];
    size_t len;
    char *errstr; /* borrowed: where fieldpath_fail writes */
    size_t errstr_size;
} fieldpath_t;

/* An empty path that reports into errstr. */
void fieldpath_init(fieldpath_t *fp, char *errstr, size_t errstr_size);

/* Appends ".name" (or "name" at the root), or "[index]" when name is NULL;
 * returns the old length for fieldpath_pop. Truncates, never overflows. */
size_t fieldpath_push(fieldpath_t *fp, const char *name, size_t index);

/* Restores the path to an earlier length. */
void fieldpath_pop(fieldpath_t *fp, size_t old);

/* Writes "path: reason" into the errstr and returns -1, so that the
 * innermost failure writes the message and callers pass the -1 up. */
int fieldpath_fail(fieldpath_t *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The proto3 JSON name (lowerCamelCase) of a snake_case field name, into
 * buf; truncates, never overflows. */
void fieldpath_json_name(const char *field_name, char *buf, size_t buf_size);

#endif
