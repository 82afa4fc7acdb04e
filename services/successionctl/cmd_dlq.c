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
 * the configured prefix are replay targets. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "events.h"
#include "kafka.h"
#include "pbjson.h"
#include "service.h"
#include "succession/v1/common.pb-c.h"
#include "text.h"

#define DLQ_MAX_PARTITIONS 256
#define DLQ_POLL_MS        200
#define DLQ_STALL_MS       30000 /* reading gives up after this long without a message */
#define DLQ_HEADER_PREFIX  "dlq."
#define DLQ_REPLAYED_FROM  "dlq.replayed-from"

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

static void dlq_usage(void)
{
    ctl_error("dlq", "usage: dlq list [--json] | dlq replay (--all | --offset [P:]N ...) "
                     "[--dry-run]");
    fputs(dlq_usage_detail, stderr);
}

/* ---- reading the topic ---- */

/* One partition's share of a read: from start (an offset, or
 * RD_KAFKA_OFFSET_BEGINNING) up to, not including, end. */
typedef struct dlq_range {
    int partition;
    long long start, end;
    bool done;
} dlq_range_t;

typedef struct dlq_read {
    dlq_range_t ranges[DLQ_MAX_PARTITIONS];
    int count;
} dlq_read_t;

/* Called for every message of a read, in offset order per partition. */
typedef void (*dlq_visit_fn)(const rd_kafka_message_t *m, void *arg);

/* A consumer that is given partitions, never joins a group and reports the
 * end of each partition. Returns NULL with the reason in errstr. */
static rd_kafka_t *dlq_consumer_new(const config_t *cfg, char *errstr, size_t errstr_size)
{
    char group[64];
    snprintf(group, sizeof group, "successionctl-dlq-%d", (int)getpid());
    const char *extra[] = {"group.id", group, "enable.auto.commit", "false", "enable.partition.eof",
                           "true",     NULL};
    rd_kafka_conf_t *conf = kafka_conf_new(cfg, NULL, extra, errstr, errstr_size);
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size) : NULL;
    if (!rk) {
        if (conf)
            rd_kafka_conf_destroy(conf); /* not taken over on failure */
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    return rk;
}

static void dlq_consumer_free(rd_kafka_t *rk)
{
    if (!rk)
        return;
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
}

static dlq_range_t *find_range(dlq_read_t *rd, int partition)
{
    for (int i = 0; i < rd->count; i++)
        if (rd->ranges[i].partition == partition)
            return &rd->ranges[i];
    return NULL;
}

static bool all_done(const dlq_read_t *rd)
{
    for (int i = 0; i < rd->count; i++)
        if (!rd->ranges[i].done)
            return false;
    return true;
}

/* Assigns every range that has something to read at its start. Returns 0 or
 * -1 with the reason. */
static int assign_ranges(rd_kafka_t *rk, const char *topic, dlq_read_t *rd, char *errstr,
                         size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(rd->count);
    for (int i = 0; i < rd->count; i++) {
        dlq_range_t *r = &rd->ranges[i];
        r->done = r->end <= 0 || (r->start >= 0 && r->start >= r->end);
        if (!r->done)
            rd_kafka_topic_partition_list_add(list, topic, r->partition)->offset = r->start;
    }
    rd_kafka_resp_err_t err =
        list->cnt > 0 ? rd_kafka_assign(rk, list) : RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_topic_partition_list_destroy(list);
    if (err) {
        snprintf(errstr, errstr_size, "%s: assign: %s", topic, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

/* Hands one polled message to visit when it lies in its range, and marks
 * the range done at its end. Returns whether it was progress. */
static bool take_message(dlq_read_t *rd, const rd_kafka_message_t *m, dlq_visit_fn visit, void *arg)
{
    dlq_range_t *r = find_range(rd, m->partition);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (r)
            r->done = true;
        return true;
    }
    if (m->err) {
        /* Informational: the client retries transient broker trouble. */
        fprintf(stderr, "successionctl dlq: %s\n", rd_kafka_message_errstr(m));
        return false;
    }
    if (!r || r->done)
        return true;
    if (m->offset < r->end)
        visit(m, arg);
    if (m->offset + 1 >= r->end)
        r->done = true;
    return true;
}

/* Reads every range of rd from topic, calling visit for each message, until
 * each range reached its end. Returns 0, or -1 with the reason when
 * interrupted or when the broker gave nothing for DLQ_STALL_MS. */
static int dlq_scan(rd_kafka_t *rk, const char *topic, dlq_read_t *rd, dlq_visit_fn visit,
                    void *arg, char *errstr, size_t errstr_size)
{
    if (assign_ranges(rk, topic, rd, errstr, errstr_size))
        return -1;
    long quiet_ms = 0;
    while (service_running && !all_done(rd)) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, DLQ_POLL_MS);
        bool progress = m && take_message(rd, m, visit, arg);
        if (m)
            rd_kafka_message_destroy(m);
        quiet_ms = progress ? 0 : quiet_ms + DLQ_POLL_MS;
        if (quiet_ms >= DLQ_STALL_MS) {
            snprintf(errstr, errstr_size, "%s: nothing read for %d s; is the broker up?", topic,
                     DLQ_STALL_MS / 1000);
            return -1;
        }
    }
    if (!all_done(rd)) {
        snprintf(errstr, errstr_size, "interrupted");
        return -1;
    }
    return 0;
}

/* Sets rd to every partition of topic from its beginning to its current
 * end. Returns 0 or -1 with the reason. */
static int read_whole_topic(rd_kafka_t *rk, const char *topic, dlq_read_t *rd, char *errstr,
                            size_t errstr_size)
{
    long long high[DLQ_MAX_PARTITIONS];
    if (kafka_high_watermarks(rk, topic, high, DLQ_MAX_PARTITIONS, &rd->count, errstr, errstr_size))
        return -1;
    for (int p = 0; p < rd->count; p++)
        rd->ranges[p] =
            (dlq_range_t){.partition = p, .start = RD_KAFKA_OFFSET_BEGINNING, .end = high[p]};
    return 0;
}

/* ---- what a dead letter says ---- */

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

/* The dead-letter headers of one message (owned copies; NULL when absent). */
typedef struct letter {
    char *reason, *source_topic, *worker;
    long long source_partition, source_offset; /* -1 when absent */
    /* A letter too large to copy keeps only its first bytes: */
    bool truncated;
    long long original_size; /* -1 when absent */
    char *original_sha256;
} letter_t;

static void letter_read(letter_t *l, const rd_kafka_message_t *m)
{
    l->reason = header_text(m, "dlq.reason");
    l->source_topic = header_text(m, "dlq.source.topic");
    l->worker = header_text(m, "dlq.worker");
    l->source_partition = header_number(m, "dlq.source.partition");
    l->source_offset = header_number(m, "dlq.source.offset");
    char *truncated = header_text(m, "dlq.truncated");
    l->truncated = truncated && strcmp(truncated, "true") == 0;
    free(truncated);
    l->original_size = header_number(m, "dlq.original.size");
    l->original_sha256 = header_text(m, "dlq.original.sha256");
}

static void letter_free(letter_t *l)
{
    free(l->reason);
    free(l->source_topic);
    free(l->worker);
    free(l->original_sha256);
}

/* The input kind whose topic (with the configured prefix) is `topic`, or
 * NULL: dead letters are replayed only to these. */
static const events_kind_t *kind_of_topic(const config_t *cfg, const char *topic)
{
    for (size_t i = 0; topic && i < events_kind_count; i++) {
        char name[256];
        config_topic(cfg, events_kinds[i].topic, name, sizeof name);
        if (strcmp(name, topic) == 0)
            return &events_kinds[i];
    }
    return NULL;
}

/* The bytes of m decoded as the event message of its source topic, or NULL.
 * The caller frees it with protobuf_c_message_free_unpacked. */
static ProtobufCMessage *decode_event(const events_kind_t *kind, const rd_kafka_message_t *m)
{
    if (!kind || !m->payload)
        return NULL;
    return protobuf_c_message_unpack(kind->descriptor, NULL, m->len, m->payload);
}

/* The event id in the header of a decoded event (borrowed), or NULL. */
static const char *event_id_of(const ProtobufCMessage *event)
{
    const ProtobufCFieldDescriptor *f =
        event ? protobuf_c_message_descriptor_get_field_by_name(event->descriptor, "header") : NULL;
    const Succession__V1__EventHeader *h =
        f ? *(Succession__V1__EventHeader *const *)((const char *)event + f->offset) : NULL;
    return h && h->event_id && h->event_id[0] ? h->event_id : NULL;
}

/* ---- text and JSON ---- */

/* A JSON string of len bytes of s, malformed bytes as \xNN (text.h); NULL
 * s gives null. */
static json_t *json_text(const void *s, size_t len)
{
    if (!s)
        return json_null();
    json_t *j = json_stringn(s, len);
    if (j)
        return j;
    char *clean = text_clean(s, len, 4 * len + 8, 0);
    j = clean ? json_string(clean) : NULL;
    free(clean);
    return j;
}

static json_t *json_number_or_null(long long v)
{
    return v < 0 ? json_null() : json_integer((json_int_t)v);
}

/* The JSON Lines object of one dead letter (see the file comment). */
static json_t *letter_json(const rd_kafka_message_t *m, const letter_t *l,
                           const events_kind_t *kind, const ProtobufCMessage *event)
{
    json_t *o = json_object();
    const char *event_id = event_id_of(event);
    json_object_set_new(o, "dlqPartition", json_integer(m->partition));
    json_object_set_new(o, "dlqOffset", json_integer((json_int_t)m->offset));
    json_object_set_new(o, "sourceTopic",
                        json_text(l->source_topic, l->source_topic ? strlen(l->source_topic) : 0));
    json_object_set_new(o, "sourcePartition", json_number_or_null(l->source_partition));
    json_object_set_new(o, "sourceOffset", json_number_or_null(l->source_offset));
    json_object_set_new(o, "key", json_text(m->key, m->key_len));
    json_object_set_new(o, "reason", json_text(l->reason, l->reason ? strlen(l->reason) : 0));
    json_object_set_new(o, "worker", json_text(l->worker, l->worker ? strlen(l->worker) : 0));
    json_object_set_new(o, "eventId", json_text(event_id, event_id ? strlen(event_id) : 0));
    if (event) {
        json_t *canonical = pbjson_encode(event);
        if (canonical)
            json_object_set_new(canonical, "topic", json_string(kind->name));
        json_object_set_new(o, "event", canonical);
    }
    json_object_set_new(o, "bytes", pbjson_base64(m->payload, m->payload ? m->len : 0));
    json_object_set_new(o, "truncated", json_boolean(l->truncated));
    if (l->truncated) {
        json_object_set_new(o, "originalSize", json_number_or_null(l->original_size));
        json_object_set_new(
            o, "originalSha256",
            json_text(l->original_sha256, l->original_sha256 ? strlen(l->original_sha256) : 0));
    }
    return o;
}

/* ---- list ---- */

typedef struct list_state {
    const config_t *cfg;
    bool json;
    long count;
    int failed;
} list_state_t;

static void print_letter_text(const rd_kafka_message_t *m, const letter_t *l,
                              const ProtobufCMessage *event)
{
    char dlq[48], source[320], key[80], topic[256], reason[1024], id[80];
    const char *event_id = event_id_of(event);
    snprintf(dlq, sizeof dlq, "%d:%lld", (int)m->partition, (long long)m->offset);
    ctl_shown(l->source_topic, l->source_topic ? strlen(l->source_topic) : 0, topic, sizeof topic);
    snprintf(source, sizeof source, "%s[%lld]@%lld", topic, l->source_partition, l->source_offset);
    printf("%-8s %-48s %-16s %-20s %s", dlq, source, ctl_shown(m->key, m->key_len, key, sizeof key),
           ctl_shown(event_id, event_id ? strlen(event_id) : 0, id, sizeof id),
           ctl_shown(l->reason, l->reason ? strlen(l->reason) : 0, reason, sizeof reason));
    if (l->truncated)
        printf(" [first bytes only: it was %lld bytes, sha256 %s]", l->original_size,
               ctl_shown(l->original_sha256, l->original_sha256 ? strlen(l->original_sha256) : 0,
                         key, sizeof key));
    putchar('\n');
}

static void list_visit(const rd_kafka_message_t *m, void *arg)
{
    list_state_t *st = arg;
    letter_t l;
    letter_read(&l, m);
    const events_kind_t *kind = kind_of_topic(st->cfg, l.source_topic);
    ProtobufCMessage *event = decode_event(kind, m);
    if (st->json) {
        json_t *o = letter_json(m, &l, kind, event);
        char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (text)
            puts(text);
        else
            st->failed++;
        free(text);
        json_decref(o);
    } else {
        print_letter_text(m, &l, event);
    }
    st->count++;
    if (event)
        protobuf_c_message_free_unpacked(event, NULL);
    letter_free(&l);
}

static int dlq_list(ctl_t *ctl, int argc, char **argv)
{
    list_state_t st = {.cfg = &ctl->cfg};
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--json") != 0) {
            dlq_usage();
            return 2;
        }
        st.json = true;
    }
    char err[512], topic[256];
    config_topic(&ctl->cfg, TOPIC_DLQ, topic, sizeof topic);
    rd_kafka_t *rk = dlq_consumer_new(&ctl->cfg, err, sizeof err);
    if (!rk) {
        ctl_error("dlq", "%s", err);
        return 2;
    }
    dlq_read_t rd = {0};
    int rc = read_whole_topic(rk, topic, &rd, err, sizeof err);
    if (rc == 0) {
        if (!st.json)
            printf("%-8s %-48s %-16s %-20s %s\n", "DLQ", "SOURCE", "KEY", "EVENT", "REASON");
        rc = dlq_scan(rk, topic, &rd, list_visit, &st, err, sizeof err);
        if (!st.json)
            printf("%ld dead letters in %s\n", st.count, topic);
    }
    if (rc)
        ctl_error("dlq", "%s", err);
    if (st.failed)
        ctl_error("dlq", "%d dead letters could not be written as JSON (out of memory)", st.failed);
    dlq_consumer_free(rk);
    return rc || st.failed ? 1 : 0;
}

/* ---- replay ---- */

typedef struct replay_request {
    int partition;
    long long offset;
    bool found;
} replay_request_t;

typedef struct replay_state {
    const config_t *cfg;
    char topic[256]; /* the DLQ */
    bool all, dry_run;
    replay_request_t *requests;
    int request_count;
    rd_kafka_t *producer;
    long sent, pending, delivered, failed, refused;
} replay_state_t;

/* Where a replayed message came from, carried to its delivery report. */
typedef struct replay_origin {
    int partition;
    long long offset;
} replay_origin_t;

/* Parses "N" (partition 0) or "P:N" into a request. Returns 0 or -1. */
static int parse_offset(const char *text, replay_request_t *r)
{
    const char *colon = strchr(text, ':');
    char *end = NULL;
    long long partition = 0;
    if (colon) {
        partition = strtoll(text, &end, 10);
        if (end != colon || colon == text || partition < 0 || partition >= DLQ_MAX_PARTITIONS)
            return -1;
        text = colon + 1;
    }
    long long offset = *text ? strtoll(text, &end, 10) : -1;
    if (offset < 0 || *end)
        return -1;
    *r = (replay_request_t){.partition = (int)partition, .offset = offset};
    return 0;
}

/* Adds one --offset to the state, once. Returns 0, or -1 when it is not an
 * offset or out of memory (printed). */
static int add_request(replay_state_t *st, const char *text)
{
    replay_request_t r;
    if (parse_offset(text, &r)) {
        ctl_error("dlq", "--offset %s: not N or P:N with non-negative numbers", text);
        return -1;
    }
    for (int i = 0; i < st->request_count; i++)
        if (st->requests[i].partition == r.partition && st->requests[i].offset == r.offset)
            return 0;
    replay_request_t *grown =
        realloc(st->requests, ((size_t)st->request_count + 1) * sizeof *grown);
    if (!grown) {
        ctl_error("dlq", "out of memory");
        return -1;
    }
    st->requests = grown;
    st->requests[st->request_count++] = r;
    return 0;
}

/* Reads replay's arguments (argv[2..]) into st. Returns 0 or 2 (usage). */
static int parse_replay_args(replay_state_t *st, int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--all") == 0) {
            st->all = true;
        } else if (strcmp(argv[i], "--dry-run") == 0) {
            st->dry_run = true;
        } else if (strcmp(argv[i], "--offset") == 0 && i + 1 < argc) {
            if (add_request(st, argv[++i]))
                return 2;
        } else if (strncmp(argv[i], "--offset=", 9) == 0) {
            if (add_request(st, argv[i] + 9))
                return 2;
        } else {
            dlq_usage();
            return 2;
        }
    }
    if (st->all == (st->request_count > 0)) {
        ctl_error("dlq", "replay needs either --all or one or more --offset, not both");
        return 2;
    }
    return 0;
}

/* Checks that every requested offset is in the topic and sets rd to read
 * from the first to the last requested offset of each partition. Returns 0,
 * or -1 after printing each offset that is not there. */
static int plan_requested(rd_kafka_t *rk, replay_state_t *st, dlq_read_t *rd)
{
    long long high[DLQ_MAX_PARTITIONS];
    int partitions = 0, bad = 0;
    char err[512];
    if (kafka_high_watermarks(rk, st->topic, high, DLQ_MAX_PARTITIONS, &partitions, err,
                              sizeof err)) {
        ctl_error("dlq", "%s", err);
        return -1;
    }
    rd->count = 0;
    for (int i = 0; i < st->request_count; i++) {
        const replay_request_t *r = &st->requests[i];
        int64_t low = 0, hi = 0;
        if (r->partition >= partitions ||
            rd_kafka_query_watermark_offsets(rk, st->topic, r->partition, &low, &hi, 10000) ||
            r->offset < low || r->offset >= hi) {
            ctl_error("dlq", "%s has no dead letter at %d:%lld", st->topic, r->partition,
                      r->offset);
            bad++;
            continue;
        }
        dlq_range_t *range = find_range(rd, r->partition);
        if (!range) {
            range = &rd->ranges[rd->count++];
            *range = (dlq_range_t){r->partition, r->offset, r->offset + 1, false};
        }
        range->start = r->offset < range->start ? r->offset : range->start;
        range->end = r->offset + 1 > range->end ? r->offset + 1 : range->end;
    }
    return bad ? -1 : 0;
}

static void on_replay_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    replay_state_t *st = opaque;
    replay_origin_t *origin = m->_private;
    st->pending--;
    if (m->err || rd_kafka_message_status(m) != RD_KAFKA_MSG_STATUS_PERSISTED) {
        st->failed++;
        ctl_error("dlq", "%d:%lld not delivered to %s: %s", origin ? origin->partition : -1,
                  origin ? origin->offset : -1LL, rd_kafka_topic_name(m->rkt),
                  rd_kafka_err2str(m->err));
    } else {
        st->delivered++;
        printf("replayed %d:%lld to %s[%d]@%lld\n", origin ? origin->partition : -1,
               origin ? origin->offset : -1LL, rd_kafka_topic_name(m->rkt), (int)m->partition,
               (long long)m->offset);
    }
    free(origin);
}

/* The headers of a replayed message: the dead letter's own, without the
 * dlq.* ones the worker added, and dlq.replayed-from. Caller owns them. */
static rd_kafka_headers_t *replay_headers(const replay_state_t *st, const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *in = NULL;
    size_t count = 0;
    if (rd_kafka_message_headers(m, &in) || !in)
        in = NULL;
    else
        count = rd_kafka_header_cnt(in);
    rd_kafka_headers_t *out = rd_kafka_headers_new(count + 1);
    const char *name;
    const void *value;
    size_t size;
    for (size_t i = 0; in && rd_kafka_header_get_all(in, i, &name, &value, &size) == 0; i++)
        if (strncmp(name, DLQ_HEADER_PREFIX, strlen(DLQ_HEADER_PREFIX)) != 0)
            rd_kafka_header_add(out, name, -1, value, (ssize_t)size);
    char from[320];
    snprintf(from, sizeof from, "%s:%d:%lld", st->topic, (int)m->partition, (long long)m->offset);
    rd_kafka_header_add(out, DLQ_REPLAYED_FROM, -1, from, -1);
    return out;
}

/* Produces one dead letter to its source topic, waiting while the local
 * queue is full. Returns 0 or -1 (printed). */
static int replay_produce(replay_state_t *st, const rd_kafka_message_t *m, const letter_t *l)
{
    replay_origin_t *origin = malloc(sizeof *origin);
    if (!origin) {
        ctl_error("dlq", "out of memory");
        return -1;
    }
    *origin = (replay_origin_t){m->partition, m->offset};
    rd_kafka_headers_t *hdrs = replay_headers(st, m);
    int32_t partition =
        l->source_partition >= 0 ? (int32_t)l->source_partition : RD_KAFKA_PARTITION_UA;
    rd_kafka_resp_err_t err;
    for (;;) {
        err = rd_kafka_producev(
            st->producer, RD_KAFKA_V_TOPIC(l->source_topic), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_VALUE(m->payload, m->len),
            RD_KAFKA_V_KEY(m->key, m->key_len), RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(origin),
            RD_KAFKA_V_END);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
            break;
        rd_kafka_poll(st->producer, 100);
    }
    if (err) {
        rd_kafka_headers_destroy(hdrs); /* not taken over on failure */
        free(origin);
        ctl_error("dlq", "%d:%lld: cannot send to %s: %s", (int)m->partition, (long long)m->offset,
                  l->source_topic, rd_kafka_err2str(err));
        return -1;
    }
    st->pending++;
    rd_kafka_poll(st->producer, 0);
    return 0;
}

/* Whether m is one of the dead letters asked for (marking it found). */
static bool is_requested(replay_state_t *st, const rd_kafka_message_t *m)
{
    if (st->all)
        return true;
    for (int i = 0; i < st->request_count; i++) {
        replay_request_t *r = &st->requests[i];
        if (r->partition == m->partition && r->offset == m->offset) {
            r->found = true;
            return true;
        }
    }
    return false;
}

static void replay_visit(const rd_kafka_message_t *m, void *arg)
{
    replay_state_t *st = arg;
    if (!is_requested(st, m))
        return;
    letter_t l;
    letter_read(&l, m);
    char key[80], topic[256];
    if (!kind_of_topic(st->cfg, l.source_topic)) {
        ctl_error("dlq",
                  "%d:%lld: source topic '%s' is not an input topic of this prefix; "
                  "not replayed",
                  (int)m->partition, (long long)m->offset,
                  ctl_shown(l.source_topic, l.source_topic ? strlen(l.source_topic) : 0, topic,
                            sizeof topic));
        st->refused++;
    } else if (l.truncated) {
        ctl_error("dlq",
                  "%d:%lld: only the first bytes of this dead letter were kept (it was %lld "
                  "bytes); it cannot be replayed",
                  (int)m->partition, (long long)m->offset, l.original_size);
        st->refused++;
    } else if (st->dry_run) {
        printf("would replay %d:%lld to %s[%lld] key %s\n", (int)m->partition, (long long)m->offset,
               l.source_topic, l.source_partition, ctl_shown(m->key, m->key_len, key, sizeof key));
        st->sent++;
    } else if (replay_produce(st, m, &l) == 0) {
        st->sent++;
    } else {
        st->failed++;
    }
    letter_free(&l);
}

/* Reads what rd covers, sends what was asked for and waits for every
 * delivery. Returns 0 or -1 (printed). */
static int replay_run(rd_kafka_t *rk, replay_state_t *st, dlq_read_t *rd)
{
    char err[512];
    int rc = 0;
    if (!st->dry_run) {
        st->producer = kafka_producer_new(st->cfg, true, on_replay_delivery, st, err, sizeof err);
        if (!st->producer) {
            ctl_error("dlq", "%s", err);
            return -1;
        }
    }
    if (dlq_scan(rk, st->topic, rd, replay_visit, st, err, sizeof err)) {
        ctl_error("dlq", "%s", err);
        rc = -1;
    }
    while (st->producer && st->pending > 0)
        rd_kafka_poll(st->producer, 100);
    for (int i = 0; i < st->request_count; i++) {
        if (!st->requests[i].found) {
            ctl_error("dlq", "%d:%lld was not read from %s", st->requests[i].partition,
                      st->requests[i].offset, st->topic);
            rc = -1;
        }
    }
    if (st->producer)
        rd_kafka_destroy(st->producer);
    st->producer = NULL;
    return rc;
}

static int dlq_replay(ctl_t *ctl, int argc, char **argv)
{
    replay_state_t st = {.cfg = &ctl->cfg};
    int rc = parse_replay_args(&st, argc, argv);
    if (rc) {
        free(st.requests);
        return rc;
    }
    config_topic(&ctl->cfg, TOPIC_DLQ, st.topic, sizeof st.topic);
    char err[512];
    rd_kafka_t *rk = dlq_consumer_new(&ctl->cfg, err, sizeof err);
    if (!rk) {
        ctl_error("dlq", "%s", err);
        free(st.requests);
        return 2;
    }
    dlq_read_t rd = {0};
    if (st.all && read_whole_topic(rk, st.topic, &rd, err, sizeof err)) {
        ctl_error("dlq", "%s", err);
        rc = 1;
    } else if (!st.all && plan_requested(rk, &st, &rd)) {
        rc = 1; /* nothing sent */
    } else {
        rc = replay_run(rk, &st, &rd) ? 1 : 0;
        if (st.dry_run)
            printf("would replay %ld dead letters (dry run: nothing sent)\n", st.sent);
        else
            printf("replayed %ld dead letters: %ld delivered, %ld failed\n", st.sent, st.delivered,
                   st.failed);
    }
    if (st.failed || st.refused)
        rc = 1;
    dlq_consumer_free(rk);
    free(st.requests);
    return rc;
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
