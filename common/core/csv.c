/* csv: an RFC 4180 reader with bounded memory per record. */
#include "csv.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NO_BYTE   (-1) /* end of input (or a read error, told apart by ferror) */
#define AHEAD_MAX 3    /* bytes given back while looking for a byte order mark */

struct csv_reader {
    FILE *file;                /* borrowed; NULL when reading memory */
    const unsigned char *data; /* borrowed memory input */
    size_t size, pos;
    int ahead[AHEAD_MAX]; /* bytes given back, read again last-in first-out */
    int ahead_count;
    bool started; /* the byte order mark check is done */
    long line;    /* the physical line being read */
    char *text;   /* the fields of the record, each NUL-terminated */
    size_t text_len, text_cap;
    size_t *starts;      /* offset in text of each field */
    const char **fields; /* handed out in csv_record_t */
    size_t field_count, field_cap;
    char error[96]; /* set once failed */
};

static csv_reader_t *reader_new(void)
{
    csv_reader_t *csv = calloc(1, sizeof *csv);
    if (csv)
        csv->line = 1;
    return csv;
}

csv_reader_t *csv_open_file(FILE *in)
{
    csv_reader_t *csv = reader_new();
    if (csv)
        csv->file = in;
    return csv;
}

csv_reader_t *csv_open_memory(const void *data, size_t size)
{
    csv_reader_t *csv = reader_new();
    if (csv) {
        csv->data = data;
        csv->size = size;
    }
    return csv;
}

void csv_free(csv_reader_t *csv)
{
    if (!csv)
        return;
    free(csv->text);
    free(csv->starts);
    free(csv->fields);
    free(csv);
}

static int next_byte(csv_reader_t *csv)
{
    if (csv->ahead_count > 0)
        return csv->ahead[--csv->ahead_count];
    if (csv->file) {
        int c = getc(csv->file);
        return c == EOF ? NO_BYTE : c;
    }
    return csv->pos < csv->size ? csv->data[csv->pos++] : NO_BYTE;
}

/* Gives c back to be read again; at most AHEAD_MAX in a row. */
static void give_back(csv_reader_t *csv, int c)
{
    if (c != NO_BYTE)
        csv->ahead[csv->ahead_count++] = c;
}

/* Records the reader's failure; returns -1. */
static int fail(csv_reader_t *csv, long line, const char *problem)
{
    snprintf(csv->error, sizeof csv->error, "line %ld: %s", line, problem);
    return -1;
}

/* Tells a read error from the end of the input once NO_BYTE was read. */
static bool read_failed(csv_reader_t *csv)
{
    return csv->file && ferror(csv->file);
}

/* Skips a UTF-8 byte order mark at the start; other bytes are given back. */
static void skip_byte_order_mark(csv_reader_t *csv)
{
    static const int mark[AHEAD_MAX] = {0xEF, 0xBB, 0xBF};
    int seen[AHEAD_MAX];
    int n = 0;
    csv->started = true;
    while (n < AHEAD_MAX) {
        seen[n] = next_byte(csv);
        if (seen[n] != mark[n])
            break;
        n++;
    }
    if (n == AHEAD_MAX)
        return;
    for (int i = n; i >= 0; i--)
        give_back(csv, seen[i]);
}

/* Appends one byte of field text (a NUL ends a field). */
static int append(csv_reader_t *csv, long record_line, char c)
{
    if (csv->text_len >= CSV_MAX_RECORD_BYTES) {
        char problem[64];
        snprintf(problem, sizeof problem, "record longer than %d bytes", CSV_MAX_RECORD_BYTES);
        return fail(csv, record_line, problem);
    }
    if (csv->text_len == csv->text_cap) {
        size_t cap = csv->text_cap ? csv->text_cap * 2 : 256;
        char *text = realloc(csv->text, cap);
        if (!text)
            return fail(csv, record_line, "out of memory");
        csv->text = text;
        csv->text_cap = cap;
    }
    csv->text[csv->text_len++] = c;
    return 0;
}

/* Starts a field at the end of the text. */
static int begin_field(csv_reader_t *csv, long record_line)
{
    if (csv->field_count == csv->field_cap) {
        size_t cap = csv->field_cap ? csv->field_cap * 2 : 16;
        size_t *starts = realloc(csv->starts, cap * sizeof *starts);
        if (starts)
            csv->starts = starts;
        const char **fields = starts ? realloc(csv->fields, cap * sizeof *fields) : NULL;
        if (!fields)
            return fail(csv, record_line, "out of memory");
        csv->fields = fields;
        csv->field_cap = cap;
    }
    csv->starts[csv->field_count++] = csv->text_len;
    return 0;
}

/* Reads a quoted field after its opening quote, up to its closing quote. */
static int read_quoted(csv_reader_t *csv, long record_line)
{
    long opened = csv->line;
    for (;;) {
        int c = next_byte(csv);
        if (c == NO_BYTE)
            return read_failed(csv) ? fail(csv, csv->line, strerror(errno))
                                    : fail(csv, opened, "quoted field is never closed");
        if (c == '\0')
            return fail(csv, csv->line, "NUL byte");
        if (c == '"') {
            int after = next_byte(csv);
            if (after != '"') {
                give_back(csv, after);
                return 0;
            }
        }
        if (c == '\n')
            csv->line++;
        if (append(csv, record_line, (char)c))
            return -1;
    }
}

/* Reads an unquoted field up to (not including) a comma, line end or the end. */
static int read_unquoted(csv_reader_t *csv, long record_line)
{
    for (;;) {
        int c = next_byte(csv);
        if (c == ',' || c == '\n' || c == '\r' || c == NO_BYTE) {
            give_back(csv, c);
            return 0;
        }
        if (c == '"')
            return fail(csv, csv->line, "quote inside an unquoted field");
        if (c == '\0')
            return fail(csv, csv->line, "NUL byte");
        if (append(csv, record_line, (char)c))
            return -1;
    }
}

/* Consumes a line end whose first byte c was read: LF or CRLF. Returns 0, or
 * -1 for a carriage return on its own. */
static int end_line(csv_reader_t *csv, int c)
{
    if (c == '\r') {
        c = next_byte(csv);
        if (c != '\n')
            return fail(csv, csv->line, "carriage return not followed by a line feed");
    }
    csv->line++;
    return 0;
}

/* Skips empty lines. Returns 1 at the start of a record, 0 at the end of the
 * input, -1 on failure. */
static int skip_empty_lines(csv_reader_t *csv)
{
    for (;;) {
        int c = next_byte(csv);
        if (c == NO_BYTE)
            return read_failed(csv) ? fail(csv, csv->line, strerror(errno)) : 0;
        if (c != '\n' && c != '\r') {
            give_back(csv, c);
            return 1;
        }
        if (end_line(csv, c))
            return -1;
    }
}

/* Reads the fields of one record and the line end after it. */
static int read_fields(csv_reader_t *csv, long record_line)
{
    for (;;) {
        if (begin_field(csv, record_line))
            return -1;
        int c = next_byte(csv);
        bool quoted = c == '"';
        if (!quoted)
            give_back(csv, c);
        if ((quoted ? read_quoted(csv, record_line) : read_unquoted(csv, record_line)) ||
            append(csv, record_line, '\0'))
            return -1;
        c = next_byte(csv);
        if (c == ',')
            continue;
        if (c == '\n' || c == '\r')
            return end_line(csv, c);
        if (c == NO_BYTE)
            return read_failed(csv) ? fail(csv, csv->line, strerror(errno)) : 0;
        return fail(csv, csv->line, "unexpected character after a closing quote");
    }
}

int csv_read(csv_reader_t *csv, csv_record_t *record, char *errstr, size_t errstr_size)
{
    int rc = -1;
    long record_line;
    if (csv->error[0])
        goto done;
    if (!csv->started)
        skip_byte_order_mark(csv);
    csv->text_len = 0;
    csv->field_count = 0;
    rc = skip_empty_lines(csv);
    if (rc != 1)
        goto done;
    record_line = csv->line;
    if (read_fields(csv, record_line)) {
        rc = -1;
        goto done;
    }
    for (size_t i = 0; i < csv->field_count; i++)
        csv->fields[i] = csv->text + csv->starts[i];
    record->line = record_line;
    record->count = csv->field_count;
    record->fields = csv->fields;
done:
    if (rc < 0)
        snprintf(errstr, errstr_size, "%s", csv->error);
    return rc;
}
