/* feed: assign, poll, decode, store, broadcast. */
#include "feed.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "kafka.h"
#include "log.h"
#include "pbjson.h"

#define FEED_MAX_PARTITIONS 256
#define FEED_MAX_KEY        1024 /* a post id is at most 64 characters */

typedef enum { FEED_STATUS, FEED_ALERTS, FEED_SUMMARIES, FEED_TOPICS } feed_topic_t;

typedef struct topic {
    char name[256];
    int partitions;
    long long end[FEED_MAX_PARTITIONS]; /* high watermarks when assigned */
    bool read[FEED_MAX_PARTITIONS];     /* read to end[] */
} topic_t;

struct feed {
    rd_kafka_t *rk;
    store_t *store;
    bus_t *bus;
    int max_alerts;
    bool assigned;
    topic_t topics[FEED_TOPICS];
};

/* Client-wide errors, served from our polls on the service's thread. */
static void feed_on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        health_set_kafka_up(false);
    log_error("kafka_error", "%s: %s", rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

feed_t *feed_new(const config_t *cfg, store_t *store, bus_t *bus, char *errstr, size_t errstr_size)
{
    static const char *const names[FEED_TOPICS] = {TOPIC_POST_STATUS, TOPIC_ALERTS,
                                                   TOPIC_PROGRAMME};
    char group[256];
    if (config_group(cfg, "dashboard", group, sizeof group, errstr, errstr_size))
        return NULL;
    /* The group id only names the client: it never joins the group. */
    const char *extra[] = {"group.id",
                           group,
                           "enable.auto.commit",
                           "false",
                           "enable.partition.eof",
                           "true",
                           "auto.offset.reset",
                           "earliest",
                           "queued.max.messages.kbytes",
                           "2048",
                           NULL};
    feed_t *f = calloc(1, sizeof *f);
    rd_kafka_conf_t *conf = f ? kafka_conf_new(cfg, NULL, extra, errstr, errstr_size) : NULL;
    if (!conf) {
        if (!f)
            snprintf(errstr, errstr_size, "out of memory");
        free(f);
        return NULL;
    }
    rd_kafka_conf_set_error_cb(conf, feed_on_error);
    if (!(f->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size))) {
        rd_kafka_conf_destroy(conf); /* not taken over on failure */
        free(f);
        return NULL;
    }
    rd_kafka_poll_set_consumer(f->rk);
    f->store = store;
    f->bus = bus;
    f->max_alerts = cfg->dashboard_max_alerts;
    for (int t = 0; t < FEED_TOPICS; t++)
        config_topic(cfg, names[t], f->topics[t].name, sizeof f->topics[t].name);
    return f;
}

void feed_free(feed_t *f)
{
    if (!f)
        return;
    rd_kafka_consumer_close(f->rk);
    rd_kafka_destroy(f->rk);
    free(f);
}

/* Adds every partition of topic t to list, from where the picture starts. */
static void feed_add_partitions(feed_t *f, feed_topic_t t, rd_kafka_topic_partition_list_t *list)
{
    topic_t *topic = &f->topics[t];
    for (int p = 0; p < topic->partitions; p++) {
        /* The feed keeps the last max_alerts alerts: no partition can hold
         * more of them (an offset before the first held starts there). */
        long long start =
            t == FEED_ALERTS ? RD_KAFKA_OFFSET_TAIL(f->max_alerts) : RD_KAFKA_OFFSET_BEGINNING;
        rd_kafka_topic_partition_list_add(list, topic->name, p)->offset = start;
        topic->read[p] = topic->end[p] <= 0;
    }
}

int feed_assign(feed_t *f, char *errstr, size_t errstr_size)
{
    for (int t = 0; t < FEED_TOPICS; t++)
        if (kafka_high_watermarks(f->rk, f->topics[t].name, f->topics[t].end, FEED_MAX_PARTITIONS,
                                  &f->topics[t].partitions, errstr, errstr_size))
            return -1;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(16);
    for (int t = 0; t < FEED_TOPICS; t++)
        feed_add_partitions(f, (feed_topic_t)t, list);
    rd_kafka_resp_err_t err = rd_kafka_assign(f->rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err) {
        snprintf(errstr, errstr_size, "assign: %s", rd_kafka_err2str(err));
        return -1;
    }
    f->assigned = true;
    health_set_kafka_up(true);
    return 0;
}

bool feed_caught_up(const feed_t *f, char *buf, size_t size)
{
    for (int t = 0; t < FEED_TOPICS; t++)
        for (int p = 0; p < f->topics[t].partitions; p++)
            if (!f->topics[t].read[p]) {
                snprintf(buf, size, "reading %s to its end", f->topics[t].name);
                return false;
            }
    if (!f->assigned)
        snprintf(buf, size, "waiting for the topics");
    return f->assigned;
}

/* The message in the JSON mapping, one line: a new string, or NULL. */
static char *message_json(const ProtobufCMessage *message)
{
    json_t *json = pbjson_encode(message);
    char *text = json ? json_dumps(json, PBJSON_DUMP_FLAGS) : NULL;
    json_decref(json);
    return text;
}

/* Counts a status the store could not hold; says so the first time. */
static void feed_dropped(const char *post_id)
{
    if (atomic_fetch_add(&health_metrics.dashboard_dropped, 1) == 0)
        log_warn("dashboard_full",
                 "more posts than --dashboard-max-posts: '%.64s' and later new posts are "
                 "not shown",
                 post_id);
}

/* Stores a decoded message of topic t as json; returns what the store did. */
static store_result_t feed_store(feed_t *f, feed_topic_t t, const ProtobufCMessage *m,
                                 const char *json)
{
    switch (t) {
    case FEED_STATUS: {
        const Succession__V1__PostStatus *status = (const void *)m;
        store_result_t r = store_put_status(f->store, status, json);
        if (r == STORE_FULL)
            feed_dropped(status->post_id);
        atomic_store(&health_metrics.posts_held, (long)store_post_count(f->store));
        return r;
    }
    case FEED_ALERTS:
        return store_put_alert(f->store, (const void *)m, json);
    default:
        return store_put_summary(f->store, (const void *)m, json);
    }
}

/* A tombstone on the status topic: the post's picture is gone. */
static void feed_forget(feed_t *f, const rd_kafka_message_t *m)
{
    char post_id[FEED_MAX_KEY + 1];
    size_t len = m->key_len < FEED_MAX_KEY ? m->key_len : FEED_MAX_KEY;
    memcpy(post_id, m->key ? m->key : "", m->key ? len : 0);
    post_id[m->key ? len : 0] = '\0';
    store_remove_status(f->store, post_id);
    atomic_store(&health_metrics.posts_held, (long)store_post_count(f->store));
}

/* Decodes a message of topic t and takes it; an undecodable one is counted
 * and logged, and the feed carries on. */
static void feed_take(feed_t *f, feed_topic_t t, const rd_kafka_message_t *m)
{
    static const ProtobufCMessageDescriptor *const types[FEED_TOPICS] = {
        &succession__v1__post_status__descriptor, &succession__v1__succession_alert__descriptor,
        &succession__v1__programme_summary__descriptor};
    static const char *const events[FEED_TOPICS] = {"status", "alert", "summary"};
    if (t == FEED_STATUS && !m->payload) {
        feed_forget(f, m);
        return;
    }
    ProtobufCMessage *msg = protobuf_c_message_unpack(types[t], NULL, m->len, m->payload);
    char *json = msg ? message_json(msg) : NULL;
    store_result_t r = json ? feed_store(f, t, msg, json) : STORE_FAILED;
    if (r == STORE_ADDED || r == STORE_UPDATED) {
        atomic_fetch_add(&health_metrics.messages_applied, 1);
        if (bus_publish(f->bus, events[t], json))
            log_warn("dashboard_event_lost", "out of memory: live clients will reload");
    } else if (!msg) {
        atomic_fetch_add(&health_metrics.messages_dead, 1);
        log_warn("message_undecodable", "%s [%d] at offset %lld: not a %s", f->topics[t].name,
                 m->partition, (long long)m->offset, types[t]->short_name);
    }
    free(json);
    if (msg)
        protobuf_c_message_free_unpacked(msg, NULL);
}

static int feed_topic_of(const feed_t *f, const rd_kafka_message_t *m)
{
    const char *name = rd_kafka_topic_name(m->rkt);
    for (int t = 0; t < FEED_TOPICS; t++)
        if (strcmp(name, f->topics[t].name) == 0)
            return m->partition >= 0 && m->partition < f->topics[t].partitions ? t : -1;
    return -1;
}

void feed_poll(feed_t *f, int timeout_ms)
{
    rd_kafka_message_t *m = rd_kafka_consumer_poll(f->rk, timeout_ms);
    if (!m)
        return;
    int t = m->rkt ? feed_topic_of(f, m) : -1;
    if (m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        /* Informational: the client retries transient broker trouble. */
        log_warn("kafka_message_error", "%s", rd_kafka_message_errstr(m));
    } else if (t >= 0) {
        health_set_kafka_up(true);
        topic_t *topic = &f->topics[t];
        if (!m->err)
            feed_take(f, (feed_topic_t)t, m);
        if (m->err || m->offset + 1 >= topic->end[m->partition])
            topic->read[m->partition] = true;
    }
    rd_kafka_message_destroy(m);
}
