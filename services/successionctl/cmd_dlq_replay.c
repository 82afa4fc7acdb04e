/* successionctl dlq replay: chosen dead letters back to the input topic and
 * partition they came from, byte for byte with their key and headers, plus
 * dlq.replayed-from (see cmd_dlq.c). Every asked-for offset is checked to be
 * in the topic before anything is sent. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "dlq.h"
#include "kafka.h"
#include "topic_reader.h"

#define DLQ_HEADER_PREFIX "dlq."
#define DLQ_REPLAYED_FROM "dlq.replayed-from"

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
        if (end != colon || colon == text || partition < 0 || partition >= READER_MAX_PARTITIONS)
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

/* Checks that every requested offset is in the topic as the reader measured
 * it. Returns 0, or -1 after printing each offset that is not there. */
static int check_requested(reader_t *reader, const replay_state_t *st)
{
    int bad = 0;
    for (int i = 0; i < st->request_count; i++) {
        const replay_request_t *r = &st->requests[i];
        if (!reader_holds(reader, r->partition, r->offset)) {
            ctl_error("dlq", "%s has no dead letter at %d:%lld", st->topic, r->partition,
                      r->offset);
            bad++;
        }
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
static int replay_produce(replay_state_t *st, const rd_kafka_message_t *m, const dlq_letter_t *l)
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
    dlq_letter_t l;
    dlq_letter_read(&l, m);
    char key[80], topic[256];
    if (!dlq_input_kind(st->cfg, l.source_topic)) {
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
    dlq_letter_free(&l);
}

/* Reads the topic, sends what was asked for and waits for every delivery.
 * Returns 0 or -1 (printed). */
static int replay_run(reader_t *reader, replay_state_t *st)
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
    if (reader_read(reader, replay_visit, st, err, sizeof err)) {
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

int dlq_replay(ctl_t *ctl, int argc, char **argv)
{
    replay_state_t st = {.cfg = &ctl->cfg};
    int rc = parse_replay_args(&st, argc, argv);
    if (rc) {
        free(st.requests);
        return rc;
    }
    config_topic(&ctl->cfg, TOPIC_DLQ, st.topic, sizeof st.topic);
    char err[512];
    reader_t *reader = reader_new(&ctl->cfg, "dlq", st.topic, err, sizeof err);
    if (!reader) {
        ctl_error("dlq", "%s", err);
        free(st.requests);
        return 2;
    }
    if (reader_measure(reader, err, sizeof err)) {
        ctl_error("dlq", "%s", err);
        rc = 1;
    } else if (check_requested(reader, &st)) {
        rc = 1; /* nothing sent */
    } else {
        rc = replay_run(reader, &st) ? 1 : 0;
        if (st.dry_run)
            printf("would replay %ld dead letters (dry run: nothing sent)\n", st.sent);
        else
            printf("replayed %ld dead letters: %ld delivered, %ld failed\n", st.sent, st.delivered,
                   st.failed);
    }
    if (st.failed || st.refused)
        rc = 1;
    reader_free(reader);
    free(st.requests);
    return rc;
}
