/* fuzz_csv: the CSV reader that successionctl import runs on organisation
 * and post files. The input is read to its end or first refusal, from memory
 * and, in step, through a FILE *; both readers must give the same records
 * and the same refusal, records must keep to their documented bounds, and a
 * refused reader must keep refusing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless a record keeps to csv.h: at least one field, lines counted
 * from 1 and going forward, and field text (one byte more each) within the
 * record limit. */
static void check_record(const csv_record_t *record, long *last_line)
{
    if (record->count < 1 || record->line < 1 || record->line <= *last_line)
        abort();
    *last_line = record->line;
    size_t bytes = 0;
    for (size_t i = 0; i < record->count; i++)
        bytes += strlen(record->fields[i]) + 1;
    if (bytes > CSV_MAX_RECORD_BYTES)
        abort();
}

/* Aborts unless the two readers gave the same result. */
static void check_same(int rc, const csv_record_t *a, const char *err_a, int rc_b,
                       const csv_record_t *b, const char *err_b)
{
    if (rc != rc_b)
        abort();
    if (rc < 0 && strcmp(err_a, err_b) != 0)
        abort();
    if (rc <= 0)
        return;
    if (a->line != b->line || a->count != b->count)
        abort();
    for (size_t i = 0; i < a->count; i++)
        if (strcmp(a->fields[i], b->fields[i]) != 0)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* fmemopen wants a buffer of its own, and at least one byte of it. */
    char *copy = malloc(size ? size : 1);
    if (!copy)
        return 0;
    memcpy(copy, data, size);
    FILE *in = size ? fmemopen(copy, size, "r") : NULL;
    csv_reader_t *mem = csv_open_memory(data, size);
    csv_reader_t *file = in ? csv_open_file(in) : NULL;
    if (!mem || (in && !file))
        abort();
    long last_line = 0;
    int rc;
    char err[128] = "";
    do {
        csv_record_t record = {0}, file_record = {0};
        char file_err[128] = "";
        rc = csv_read(mem, &record, err, sizeof err);
        if (rc > 0)
            check_record(&record, &last_line);
        if (rc < 0 && strncmp(err, "line ", 5) != 0)
            abort();
        if (file)
            check_same(rc, &record, err, csv_read(file, &file_record, file_err, sizeof file_err),
                       &file_record, file_err);
    } while (rc > 0);
    if (rc < 0) {
        /* A refused reader stays refused, with the same reason. */
        csv_record_t record = {0};
        char again[128] = "";
        if (csv_read(mem, &record, again, sizeof again) != -1 || strcmp(again, err) != 0)
            abort();
    }
    csv_free(mem);
    csv_free(file);
    if (in)
        fclose(in);
    free(copy);
    return 0;
}
