/* csv: a reader of RFC 4180 comma-separated values, one record at a time,
 * from a FILE * or a memory buffer.
 *
 * Fields are separated by commas; a field may be enclosed in double quotes,
 * and then holds commas, line breaks and doubled quotes ("" for one "). Lines
 * end in LF or CRLF; the last line needs no line end. A UTF-8 byte order mark
 * at the very start is skipped. Empty lines between records are skipped (a
 * line holding only spaces is a record of one field). Bytes are passed through
 * as they are: the reader does not check the character encoding.
 *
 * Refused, as "line N: problem" with N the physical line (1-based) of the
 * fault: a quoted field that is never closed (N: where it opened), a quote
 * inside an unquoted field, anything but a comma or a line end after a
 * closing quote, a carriage return not followed by a line feed outside
 * quotes, a NUL byte, and a record longer than CSV_MAX_RECORD_BYTES. After a
 * refusal the reader stays failed: every later csv_read() repeats it.
 *
 * Memory: one record is held at a time, at most CSV_MAX_RECORD_BYTES of
 * field text plus its index, however long the input.
 *
 * Ownership: the reader borrows its input (the FILE * or the buffer), which
 * must outlive it and is not closed by csv_free(). A record's fields belong to
 * the reader and are valid until the next csv_read() or csv_free(). */
#ifndef SUCCESSION_CSV_H
#define SUCCESSION_CSV_H

#include <stddef.h>
#include <stdio.h>

/* The largest record accepted: its field text plus one byte per field. */
#define CSV_MAX_RECORD_BYTES (64 * 1024)

typedef struct csv_reader csv_reader_t;

/* One record: count fields, each a NUL-terminated string (borrowed). */
typedef struct csv_record {
    long line;    /* physical line (1-based) where the record starts */
    size_t count; /* number of fields, at least 1 */
    const char **fields;
} csv_record_t;

/* A reader of in (borrowed). NULL when out of memory. */
csv_reader_t *csv_open_file(FILE *in);

/* A reader of the size bytes at data (borrowed; need not be NUL-terminated).
 * NULL when out of memory. */
csv_reader_t *csv_open_memory(const void *data, size_t size);

/* Reads the next record into *record. Returns 1 with a record, 0 at the end
 * of the input (record untouched), or -1 with "line N: problem" in errstr. */
int csv_read(csv_reader_t *csv, csv_record_t *record, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Frees the reader and the fields of its last record; NULL is a no-op. */
void csv_free(csv_reader_t *csv);

#endif
