/* successionctl dlq: the dead-letter topic for people.
 *
 * `dlq list` reads the topic from its beginning to its end as it is when the
 * command starts and shows each dead letter: where it came from, its key,
 * its event id when the bytes still decode, and why it was refused.
 *
 * `dlq replay` sends chosen dead letters back to the input topic they came
 * from (header dlq.source.topic), byte for byte with their key and their
 * own headers, to the partition they came from, plus a header
 * dlq.replayed-from = "<dlq topic>:<partition>:<offset>". It is for after
 * the cause was mended upstream (a worker upgraded to accept what it
 * rejected, say). The workers judge a replayed event like any other: one
 * still invalid is dead-lettered again, under a new DLQ offset, and one that
 * names a post not registered yet is parked. Only the three input topics of
 * the configured prefix are replay targets.
 *
 * This file dispatches and reads the headers a worker puts on a dead
 * letter; the subcommands live in cmd_dlq_list.c and cmd_dlq_replay.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dlq.h"

static const char dlq_usage_detail[] =
    "  list        every dead letter, oldest first: DLQ partition:offset, source\n"
    "              topic[partition]@offset, key, event id (\"-\" when the bytes do not\n"
    "              decode), reason; --json: JSON Lines with the decoded event (in the\n"
    "              canonical form `publish` reads) and the original bytes in base64\n"
    "  replay      re-publishes dead letters byte for byte, with their key and headers,\n"
    "              to the topic and partition they came from, adding the header\n"
    "              dlq.replayed-from; for after the cause is mended upstream. An event\n"
    "              still invalid is dead-lettered again (a new DLQ offset).\n"
    "  --all       every dead letter in the topic when the command starts\n"
    "  --offset N  the dead letter at offset N of DLQ partition 0 (the topic has one\n"
    "              partition as `topics` creates it); P:N is offset N of partition P.\n"
    "              Repeatable. An offset not in the topic is an error; nothing is sent.\n"
    "  --dry-run   shows what would be sent and sends nothing\n";

void dlq_usage(void)
{
    ctl_error("dlq", "usage: dlq list [--json] | dlq replay (--all | --offset [P:]N ...) "
                     "[--dry-run]");
    fputs(dlq_usage_detail, stderr);
}

int cmd_dlq(ctl_t *ctl, int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return dlq_list(ctl, argc, argv);
    if (argc >= 2 && strcmp(argv[1], "replay") == 0)
        return dlq_replay(ctl, argc, argv);
    dlq_usage();
    return 2;
}

/* A copy of the last header `name` of m (NUL-terminated, caller frees), or
 * NULL when m has none. */
static char *header_text(const rd_kafka_message_t *m, const char *name)
{
    rd_kafka_headers_t *hdrs = NULL;
    const void *value = NULL;
    size_t size = 0;
    if (rd_kafka_message_headers(m, &hdrs) || !hdrs ||
        rd_kafka_header_get_last(hdrs, name, &value, &size))
        return NULL;
    char *text = malloc(size + 1);
    if (text) {
        if (size)
            memcpy(text, value, size);
        text[size] = '\0';
    }
    return text;
}

/* A non-negative number from header `name`, or -1 when absent or not one. */
static long long header_number(const rd_kafka_message_t *m, const char *name)
{
    char *text = header_text(m, name);
    char *end = NULL;
    long long v = text && *text ? strtoll(text, &end, 10) : -1;
    if (!text || !end || *end || v < 0)
        v = -1;
    free(text);
    return v;
}

void dlq_letter_read(dlq_letter_t *l, const rd_kafka_message_t *m)
{
    l->reason = header_text(m, DLQ_REASON);
    l->source_topic = header_text(m, DLQ_SOURCE_TOPIC);
    l->worker = header_text(m, DLQ_WORKER);
    l->source_partition = header_number(m, DLQ_SOURCE_PARTITION);
    l->source_offset = header_number(m, DLQ_SOURCE_OFFSET);
    char *truncated = header_text(m, DLQ_TRUNCATED);
    l->truncated = truncated && strcmp(truncated, "true") == 0;
    free(truncated);
    l->original_size = header_number(m, DLQ_ORIGINAL_SIZE);
    l->original_sha256 = header_text(m, DLQ_ORIGINAL_SHA256);
}

void dlq_letter_free(dlq_letter_t *l)
{
    free(l->reason);
    free(l->source_topic);
    free(l->worker);
    free(l->original_sha256);
}

const events_kind_t *dlq_input_kind(const config_t *cfg, const char *topic)
{
    for (size_t i = 0; topic && i < events_kind_count; i++) {
        char name[256];
        config_topic(cfg, events_kinds[i].topic, name, sizeof name);
        if (strcmp(name, topic) == 0)
            return &events_kinds[i];
    }
    return NULL;
}
