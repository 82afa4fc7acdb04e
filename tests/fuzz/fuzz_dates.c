/* fuzz_dates: the parsers of YYYY-MM-DD dates and RFC 3339 instants, which
 * read every date of an event and SUCCESSION_NOW. The input, as a C string,
 * is parsed both ways; whatever parses must be written back by the matching
 * format function as text that parses to the same value (and, for a date,
 * is the very text parsed: the form is exact). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "datetime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless a parsed date formats back to the same text and value. */
static void check_date(const char *text)
{
    date_days_t days = DATE_NONE, again = DATE_NONE;
    if (datetime_parse_date(text, &days))
        return;
    char written[DATE_TEXT_SIZE];
    datetime_format_date(days, written);
    if (strcmp(written, text) != 0 || datetime_parse_date(written, &again) || again != days) {
        fprintf(stderr, "date \"%s\" (day %d) written as \"%s\"\n", text, (int)days, written);
        abort();
    }
}

/* Aborts unless a parsed instant formats to text that parses to the same
 * seconds and nanos. */
static void check_instant(const char *text)
{
    int64_t seconds, again_seconds;
    int32_t nanos, again_nanos;
    if (datetime_parse_instant(text, &seconds, &nanos))
        return;
    if (nanos < 0 || nanos > 999999999)
        abort();
    char written[INSTANT_TEXT_SIZE];
    datetime_format_instant(seconds, nanos, written);
    if (datetime_parse_instant(written, &again_seconds, &again_nanos) || again_seconds != seconds ||
        again_nanos != nanos) {
        fprintf(stderr, "instant \"%s\" (%lld s, %d ns) written as \"%s\"\n", text,
                (long long)seconds, (int)nanos, written);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly the bytes and a NUL, so reading past it is caught. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_date(text);
    check_instant(text);
    free(text);
    return 0;
}
