/* fuzz_judge: the path that records a message, dead or alive (judge.c, as
 * worker.c calls it). The first byte picks the topic's event kind; the rest
 * is the payload. Whatever the bytes, the judgement must be recordable as
 * it is: exactly one of the event's columns or a reason; the reason, the
 * event id and every column value well-formed UTF-8 without NUL
 * (PostgreSQL text and Kafka header values take them), within their bounds;
 * as many values as the kind has columns. A refusal quoting the payload
 * itself must come out just as clean. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events.h"
#include "judge.h"
#include "sha256.h"
#include "text.h"

#define MAX_EVENT_BYTES 65536

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_clean(const char *what, const char *s, size_t max)
{
    if (!s)
        return;
    size_t len = strlen(s);
    if (!text_is_clean(s, len) || len > max) {
        fprintf(stderr, "%s is not recordable as it is (%zu bytes)\n", what, len);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const events_kind_t *kind = &events_kinds[data[0] % events_kind_count];
    judgement_t j;
    if (judge_message(kind, data + 1, size - 1, MAX_EVENT_BYTES, &j))
        abort(); /* only out of memory */
    if (!j.row == !j.reason[0]) {
        fprintf(stderr, "a judgement is either an event or a reason\n");
        abort();
    }
    check_clean("the reason", j.reason, sizeof j.reason - 1);
    check_clean("the event id", j.event_id, JUDGE_ID_BYTES);
    size_t values = 0;
    for (const char *v = j.row; v && v < j.row + j.row_len; v += strlen(v) + 1, values++)
        check_clean("a column value", v, MAX_EVENT_BYTES);
    if (j.row && values != events_column_count(kind)) {
        fprintf(stderr, "%zu column values for %zu columns\n", values, events_column_count(kind));
        abort();
    }
    /* The database's refusal may quote the event's bytes. */
    char refusal[600];
    size_t n = size - 1 < 500 ? size - 1 : 500;
    memcpy(refusal, "refused by PostgreSQL: ", 23);
    memcpy(refusal + 23, data + 1, n);
    refusal[23 + n] = '\0';
    judgement_set_dead(&j, refusal);
    check_clean("a refusal", j.reason, sizeof j.reason - 1);
    if (j.row)
        abort();
    char digest[SHA256_HEX_SIZE];
    sha256_hex(data + 1, size - 1, digest);
    if (strlen(digest) != 64)
        abort();
    judgement_free(&j);
    return 0;
}
