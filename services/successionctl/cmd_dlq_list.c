/* successionctl dlq list: every dead letter on the topic when the command
 * starts, a line each for people, or JSON Lines (--json) with the decoded
 * event in the canonical form `publish` reads and the original bytes in
 * base64. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "dlq.h"
#include "pbjson.h"
#include "show.h"
#include "succession/v1/common.pb-c.h"
#include "topic_reader.h"

typedef struct list_state {
    const config_t *cfg;
    bool json;
    long count;
    int failed;
} list_state_t;

static size_t length_of(const char *s)
{
    return s ? strlen(s) : 0;
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

/* A JSON string of len bytes of s (pbjson_string), or null for NULL s. */
static json_t *json_text(const void *s, size_t len)
{
    return s ? pbjson_string(s, len) : json_null();
}

static json_t *json_number_or_null(long long v)
{
    return v < 0 ? json_null() : json_integer((json_int_t)v);
}

/* The JSON Lines object of one dead letter (see the file comment). */
static json_t *letter_json(const rd_kafka_message_t *m, const dlq_letter_t *l,
                           const events_kind_t *kind, const ProtobufCMessage *event)
{
    json_t *o = json_object();
    const char *event_id = event_id_of(event);
    json_object_set_new(o, "dlqPartition", json_integer(m->partition));
    json_object_set_new(o, "dlqOffset", json_integer((json_int_t)m->offset));
    json_object_set_new(o, "sourceTopic", json_text(l->source_topic, length_of(l->source_topic)));
    json_object_set_new(o, "sourcePartition", json_number_or_null(l->source_partition));
    json_object_set_new(o, "sourceOffset", json_number_or_null(l->source_offset));
    json_object_set_new(o, "key", json_text(m->key, m->key_len));
    json_object_set_new(o, "reason", json_text(l->reason, length_of(l->reason)));
    json_object_set_new(o, "worker", json_text(l->worker, length_of(l->worker)));
    json_object_set_new(o, "eventId", json_text(event_id, length_of(event_id)));
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
        json_object_set_new(o, "originalSha256",
                            json_text(l->original_sha256, length_of(l->original_sha256)));
    }
    return o;
}

static void print_letter_text(const rd_kafka_message_t *m, const dlq_letter_t *l,
                              const ProtobufCMessage *event)
{
    char dlq[48], source[320], key[80], topic[256], reason[1024], id[80];
    const char *event_id = event_id_of(event);
    snprintf(dlq, sizeof dlq, "%d:%lld", (int)m->partition, (long long)m->offset);
    ctl_shown(l->source_topic, length_of(l->source_topic), topic, sizeof topic);
    snprintf(source, sizeof source, "%s[%lld]@%lld", topic, l->source_partition, l->source_offset);
    printf("%-8s %-48s %-16s %-20s %s", dlq, source, ctl_shown(m->key, m->key_len, key, sizeof key),
           ctl_shown(event_id, length_of(event_id), id, sizeof id),
           ctl_shown(l->reason, length_of(l->reason), reason, sizeof reason));
    if (l->truncated)
        printf(" [first bytes only: it was %lld bytes, sha256 %s]", l->original_size,
               ctl_shown(l->original_sha256, length_of(l->original_sha256), key, sizeof key));
    putchar('\n');
}

static void list_visit(const rd_kafka_message_t *m, void *arg)
{
    list_state_t *st = arg;
    dlq_letter_t l;
    dlq_letter_read(&l, m);
    const events_kind_t *kind = dlq_input_kind(st->cfg, l.source_topic);
    ProtobufCMessage *event = decode_event(kind, m);
    if (!st->json)
        print_letter_text(m, &l, event);
    else if (show_json_line(letter_json(m, &l, kind, event)))
        st->failed++;
    st->count++;
    if (event)
        protobuf_c_message_free_unpacked(event, NULL);
    dlq_letter_free(&l);
}

int dlq_list(ctl_t *ctl, int argc, char **argv)
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
    reader_t *reader = reader_new(&ctl->cfg, "dlq", topic, err, sizeof err);
    if (!reader) {
        ctl_error("dlq", "%s", err);
        return 2;
    }
    int rc = reader_measure(reader, err, sizeof err);
    if (rc == 0) {
        if (!st.json)
            printf("%-8s %-48s %-16s %-20s %s\n", "DLQ", "SOURCE", "KEY", "EVENT", "REASON");
        rc = reader_read(reader, list_visit, &st, err, sizeof err);
        if (!st.json)
            printf("%ld dead letters in %s\n", st.count, topic);
    }
    if (rc)
        ctl_error("dlq", "%s", err);
    if (st.failed)
        ctl_error("dlq", "%d dead letters could not be written as JSON (out of memory)", st.failed);
    reader_free(reader);
    return rc || st.failed ? 1 : 0;
}
