/* successionctl publish: canonical JSON Lines to protobuf, each event to its
 * topic with the key DOMAIN.md gives, waiting for every delivery; at most
 * --rate events a second when asked (a load test, a replay at a set pace);
 * bare, or framed as a schema registry's serializer frames it (framing.h).
 * On a terminal it shows the events sent, the rate and what is left. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <sys/stat.h>

#include "ctl.h"
#include "datetime.h"
#include "events.h"
#include "framing.h"
#include "kafka.h"
#include "pbjson.h"
#include "service.h"
#include "validate.h"

/* How each line is encoded. */
typedef struct publish_form {
    bool checked;       /* invalid events are skipped, not sent */
    bool framed;        /* the schema registry's framed form */
    uint32_t schema_id; /* framed: the schema id it names */
} publish_form_t;

typedef struct publish_state {
    long delivered, failed;
    long pending;
} publish_state_t;

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    publish_state_t *ps = opaque;
    ps->pending--;
    if (m->err || rd_kafka_message_status(m) != RD_KAFKA_MSG_STATUS_PERSISTED) {
        ps->failed++;
        fprintf(stderr, "successionctl publish: delivery to %s failed: %s\n",
                rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
    } else {
        ps->delivered++;
    }
}

/* Turns one line into a packed event for its topic, in the given form.
 * Returns 0 with *kind, the bytes (*bytes, caller frees) and the key (*key,
 * caller frees, may be NULL); or -1 with the reason in errstr. */
static int encode_line(const char *line, const publish_form_t *form, const events_kind_t **kind,
                       uint8_t **bytes, size_t *len, char **key, char *errstr, size_t errstr_size)
{
    json_error_t jerr;
    ProtobufCMessage *msg = NULL;
    int rc = -1;
    json_t *obj = json_loads(line, JSON_REJECT_DUPLICATES, &jerr);
    if (!obj || !json_is_object(obj)) {
        snprintf(errstr, errstr_size, "not a JSON object%s%s", obj ? "" : ": ",
                 obj ? "" : jerr.text);
        goto done;
    }
    const char *topic = json_string_value(json_object_get(obj, "topic"));
    *kind = topic ? events_kind_by_name(topic) : NULL;
    if (!*kind) {
        snprintf(errstr, errstr_size, "topic: '%s' is not vacancy, appointment or appraisal",
                 topic ? topic : "(missing)");
        goto done;
    }
    json_object_del(obj, "topic");
    if (pbjson_decode((*kind)->descriptor, obj, &msg, errstr, errstr_size))
        goto done;
    if (form->checked && validate_event(msg, errstr, errstr_size))
        goto done;
    uint8_t header[FRAMING_HEADER_MAX];
    size_t header_len =
        form->framed ? framing_header(form->schema_id, (*kind)->message_index, header) : 0;
    *len = header_len + protobuf_c_message_get_packed_size(msg);
    *bytes = malloc(*len ? *len : 1);
    if (!*bytes) {
        snprintf(errstr, errstr_size, "out of memory");
        goto done;
    }
    memcpy(*bytes, header, header_len);
    protobuf_c_message_pack(msg, *bytes + header_len);
    const char *k = events_key(msg);
    *key = k && *k ? strdup(k) : NULL;
    rc = 0;
done:
    pbjson_free(msg);
    json_decref(obj);
    return rc;
}

/* Produces one encoded event, waiting while the local queue is full. */
static int produce(rd_kafka_t *rk, const config_t *cfg, const events_kind_t *kind,
                   const uint8_t *bytes, size_t len, const char *key, publish_state_t *ps)
{
    char topic[256];
    config_topic(cfg, kind->topic, topic, sizeof topic);
    for (;;) {
        rd_kafka_resp_err_t err =
            rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                              RD_KAFKA_V_VALUE((void *)bytes, len),
                              RD_KAFKA_V_KEY(key, key ? strlen(key) : 0), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            ps->pending++;
            return 0;
        }
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "successionctl publish: %s: %s\n", topic, rd_kafka_err2str(err));
            return -1;
        }
        rd_kafka_poll(rk, 100);
    }
}

/* Keeps to `rate` events a second (0: as fast as possible): sleeps until
 * event number `sent` is due. */
static void keep_pace(rd_kafka_t *rk, long rate, long started, long sent)
{
    if (rate <= 0)
        return;
    long due = started + sent * 1000 / rate;
    while (service_running && datetime_monotonic_ms() < due)
        rd_kafka_poll(rk, (int)(due - datetime_monotonic_ms()));
}

/* Shows how far publishing is: events, rate, and the share of the file read. */
static void show_progress(long sent, long started, long read, long size)
{
    long ms = datetime_monotonic_ms() - started;
    long rate = ms > 0 ? sent * 1000 / ms : 0;
    if (size > 0 && read > 0) {
        long left_s = rate > 0 ? (long)((double)sent * (size - read) / read / rate) : 0;
        ctl_progress("published %ld events, %ld/s, %ld%% of the file, about %ld s left", sent, rate,
                     read * 100 / size, left_s);
    } else {
        ctl_progress("published %ld events, %ld/s", sent, rate);
    }
}

/* Reads --schema-id's value, a number from 0 to 2^32 - 1. Returns 0 or -1. */
static int parse_schema_id(const char *text, uint32_t *id)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || text[0] == '-' || v > UINT32_MAX)
        return -1;
    *id = (uint32_t)v;
    return 0;
}

/* Reads publish's arguments. Returns 0, or 2 after printing the usage error. */
static int parse_args(int argc, char **argv, publish_form_t *form, const char **path, long *rate)
{
    bool schema_id_given = false;
    for (int i = 1; i < argc; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(argv[i], "--unchecked") == 0) {
            form->checked = false;
        } else if (strcmp(argv[i], "--rate") == 0 && value && atol(value) > 0) {
            *rate = atol(argv[++i]);
        } else if (strcmp(argv[i], "--framing") == 0 && value &&
                   (strcmp(value, "none") == 0 || strcmp(value, "confluent") == 0)) {
            form->framed = strcmp(argv[++i], "confluent") == 0;
        } else if (strcmp(argv[i], "--schema-id") == 0 && value &&
                   parse_schema_id(value, &form->schema_id) == 0) {
            schema_id_given = true;
            i++;
        } else if (!*path && (argv[i][0] != '-' || strcmp(argv[i], "-") == 0)) {
            *path = argv[i];
        } else {
            ctl_error("publish", "unexpected argument '%s'", argv[i]);
            return 2;
        }
    }
    if (form->framed != schema_id_given) {
        ctl_error("publish", "--framing confluent and --schema-id N go together");
        return 2;
    }
    if (!*path) {
        ctl_error("publish", "usage: publish [--unchecked] [--rate EVENTS_PER_SECOND] "
                             "[--framing none|confluent --schema-id N] FILE.jsonl");
        return 2;
    }
    return 0;
}

int cmd_publish(ctl_t *ctl, int argc, char **argv)
{
    publish_form_t form = {.checked = true};
    const char *path = NULL;
    long rate = 0;
    if (parse_args(argc, argv, &form, &path, &rate))
        return 2;
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        ctl_error("publish", "%s: %s", path, strerror(errno));
        return 1;
    }
    publish_state_t ps = {0};
    char err[512];
    rd_kafka_t *rk = kafka_producer_new(&ctl->cfg, true, on_delivery, &ps, err, sizeof err);
    if (!rk) {
        ctl_error("publish", "%s", err);
        if (f != stdin)
            fclose(f);
        return 2;
    }
    long lineno = 0, sent = 0, skipped = 0, read = 0, started = datetime_monotonic_ms();
    long per_kind[8] = {0};
    struct stat st;
    long size = f != stdin && fstat(fileno(f), &st) == 0 ? (long)st.st_size : 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while (service_running && (n = getline(&line, &cap, f)) != -1) {
        lineno++;
        read += n;
        keep_pace(rk, rate, started, sent);
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        const events_kind_t *kind = NULL;
        uint8_t *bytes = NULL;
        size_t len = 0;
        char *key = NULL;
        if (encode_line(line, &form, &kind, &bytes, &len, &key, err, sizeof err)) {
            fprintf(stderr, "%s:%ld: %s\n", path, lineno, err);
            skipped++;
        } else if (produce(rk, &ctl->cfg, kind, bytes, len, key, &ps) == 0) {
            sent++;
            per_kind[kind - events_kinds]++;
        } else {
            skipped++;
        }
        free(bytes);
        free(key);
        rd_kafka_poll(rk, 0);
        show_progress(sent, started, read, size);
    }
    ctl_progress_end();
    free(line);
    if (f != stdin)
        fclose(f);
    while (ps.pending > 0)
        rd_kafka_poll(rk, 100);
    rd_kafka_destroy(rk);
    printf("published %ld events (vacancy %ld, appointment %ld, appraisal %ld); "
           "%ld delivered, %ld failed; %ld lines skipped\n",
           sent, per_kind[0], per_kind[1], per_kind[2], ps.delivered, ps.failed, skipped);
    return ps.failed || skipped ? 1 : 0;
}
