/* fuzz_judge: the path that records a message, dead or alive (judge.c, as
 * worker.c calls it). The first byte picks the topic's event kind; the rest
 * is the payload. Whatever the bytes, the judgement must be recordable as
 * it is: exactly one of the event's JSON or a reason; the reason and the
 * event id well-formed UTF-8 without NUL (PostgreSQL text and Kafka header
 * values take them), within their bounds; the JSON parseable. A refusal
 * quoting the payload itself must come out just as clean. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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
    if (judge_message(kind->descriptor, data + 1, size - 1, MAX_EVENT_BYTES, 3, 42, &j))
        abort(); /* only out of memory */
    if (!j.json == !j.reason[0]) {
        fprintf(stderr, "a judgement is either an event or a reason\n");
        abort();
    }
    check_clean("the reason", j.reason, sizeof j.reason - 1);
    check_clean("the event id", j.event_id, JUDGE_ID_BYTES);
    if (j.json) {
        json_error_t jerr;
        json_t *batch = json_loadb(j.json, j.json_len, JSON_REJECT_DUPLICATES, &jerr);
        if (!batch || !json_is_object(json_object_get(batch, "event"))) {
            fprintf(stderr, "the event's JSON does not parse: %s\n", jerr.text);
            abort();
        }
        json_decref(batch);
    }
    /* The database's refusal may quote the event's bytes. */
    char refusal[600];
    size_t n = size - 1 < 500 ? size - 1 : 500;
    memcpy(refusal, "refused by PostgreSQL: ", 23);
    memcpy(refusal + 23, data + 1, n);
    refusal[23 + n] = '\0';
    judgement_set_dead(&j, refusal);
    check_clean("a refusal", j.reason, sizeof j.reason - 1);
    if (j.json)
        abort();
    char digest[SHA256_HEX_SIZE];
    sha256_hex(data + 1, size - 1, digest);
    if (strlen(digest) != 64)
        abort();
    judgement_free(&j);
    return 0;
}
