/* topic_reader: one consumer, assigned every partition, polled until each
 * partition reached its end (or, following, until stopped). */
#include "topic_reader.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "kafka.h"
#include "service.h"

#define READER_POLL_MS  200
#define READER_STALL_MS 30000 /* a read gives up after this long without a message */
#define READER_QUERY_MS 10000

struct reader {
    rd_kafka_t *rk;
    const char *command;
    char *topic;
    bool measured;
    int count;                            /* partitions */
    long long end[READER_MAX_PARTITIONS]; /* high watermarks when measured */
    bool at_end[READER_MAX_PARTITIONS];   /* the partition's end was reached */
    bool following;                       /* reading past end[] as the topic grows */
};

reader_t *reader_new(const config_t *cfg, const char *command, const char *topic, char *errstr,
                     size_t errstr_size)
{
    char group[64];
    snprintf(group, sizeof group, "successionctl-%s-%d", command, (int)getpid());
    const char *extra[] = {"group.id", group, "enable.auto.commit", "false", "enable.partition.eof",
                           "true",     NULL};
    rd_kafka_conf_t *conf = NULL;
    reader_t *r = calloc(1, sizeof *r);
    if (!r || !(r->topic = strdup(topic))) {
        snprintf(errstr, errstr_size, "out of memory");
        goto fail;
    }
    r->command = command;
    conf = kafka_conf_new(cfg, NULL, extra, errstr, errstr_size);
    r->rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size) : NULL;
    if (!r->rk)
        goto fail;
    conf = NULL; /* now owned by r->rk */
    rd_kafka_poll_set_consumer(r->rk);
    return r;
fail:
    if (conf)
        rd_kafka_conf_destroy(conf); /* not taken over on failure */
    reader_free(r);
    return NULL;
}

void reader_free(reader_t *r)
{
    if (!r)
        return;
    if (r->rk) {
        rd_kafka_consumer_close(r->rk);
        rd_kafka_destroy(r->rk);
    }
    free(r->topic);
    free(r);
}

int reader_measure(reader_t *r, char *errstr, size_t errstr_size)
{
    if (kafka_high_watermarks(r->rk, r->topic, r->end, READER_MAX_PARTITIONS, &r->count, errstr,
                              errstr_size))
        return -1;
    r->measured = true;
    return 0;
}

bool reader_holds(reader_t *r, int partition, long long offset)
{
    int64_t low = 0, high = 0;
    return r->measured && partition >= 0 && partition < r->count && offset < r->end[partition] &&
           rd_kafka_query_watermark_offsets(r->rk, r->topic, partition, &low, &high,
                                            READER_QUERY_MS) == RD_KAFKA_RESP_ERR_NO_ERROR &&
           offset >= low;
}

/* Assigns every partition with something to read, from start. Returns 0 or
 * -1 with the reason. */
static int reader_assign(reader_t *r, long long start, char *errstr, size_t errstr_size)
{
    if (!r->measured && reader_measure(r, errstr, errstr_size))
        return -1;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(r->count);
    for (int p = 0; p < r->count; p++) {
        r->at_end[p] = !r->following && r->end[p] <= 0;
        if (!r->at_end[p])
            rd_kafka_topic_partition_list_add(list, r->topic, p)->offset = start;
    }
    rd_kafka_resp_err_t err =
        list->cnt > 0 ? rd_kafka_assign(r->rk, list) : RD_KAFKA_RESP_ERR_NO_ERROR;
    rd_kafka_topic_partition_list_destroy(list);
    if (err) {
        snprintf(errstr, errstr_size, "%s: assign: %s", r->topic, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

static bool all_at_end(const reader_t *r)
{
    for (int p = 0; p < r->count; p++)
        if (!r->at_end[p])
            return false;
    return true;
}

/* Hands one polled message to visit when it is to be read, and notes when
 * its partition reached its end. Returns whether it was progress. */
static bool reader_take(reader_t *r, const rd_kafka_message_t *m, reader_visit_fn visit, void *arg)
{
    int p = m->partition;
    bool known = p >= 0 && p < r->count;
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        if (known)
            r->at_end[p] = true;
        return true;
    }
    if (m->err) {
        /* Informational: the client retries transient broker trouble. */
        ctl_error(r->command, "%s", rd_kafka_message_errstr(m));
        return false;
    }
    if (!known)
        return true;
    if (r->following) {
        r->at_end[p] = false;
        visit(m, arg);
    } else if (!r->at_end[p]) {
        if (m->offset < r->end[p])
            visit(m, arg);
        r->at_end[p] = m->offset + 1 >= r->end[p];
    }
    return true;
}

/* Polls until the read is over (see reader_read and reader_follow). */
static int reader_loop(reader_t *r, long idle_ms, reader_visit_fn visit, void *arg, char *errstr,
                       size_t errstr_size)
{
    long quiet_ms = 0;
    while (service_running) {
        if (all_at_end(r) && (!r->following || (idle_ms > 0 && quiet_ms >= idle_ms)))
            return 0;
        if (!r->following && quiet_ms >= READER_STALL_MS) {
            snprintf(errstr, errstr_size, "%s: nothing read for %d s; is the broker up?", r->topic,
                     READER_STALL_MS / 1000);
            return -1;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(r->rk, READER_POLL_MS);
        bool progress = m && reader_take(r, m, visit, arg);
        if (m)
            rd_kafka_message_destroy(m);
        quiet_ms = progress ? 0 : quiet_ms + READER_POLL_MS;
    }
    if (r->following || all_at_end(r))
        return 0; /* following ends when it is stopped */
    snprintf(errstr, errstr_size, "interrupted");
    return -1;
}

int reader_read(reader_t *r, reader_visit_fn visit, void *arg, char *errstr, size_t errstr_size)
{
    r->following = false;
    if (reader_assign(r, RD_KAFKA_OFFSET_BEGINNING, errstr, errstr_size))
        return -1;
    return reader_loop(r, 0, visit, arg, errstr, errstr_size);
}

int reader_follow(reader_t *r, bool from_beginning, long idle_ms, reader_visit_fn visit, void *arg,
                  char *errstr, size_t errstr_size)
{
    r->following = true;
    if (reader_assign(r, from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END, errstr,
                      errstr_size))
        return -1;
    return reader_loop(r, idle_ms, visit, arg, errstr, errstr_size);
}
