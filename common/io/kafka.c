/* kafka: configuration, producers, topic creation and watermarks. */
#include "kafka.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "log.h"

/* librdkafka's own log lines, as ours. */
static void kafka_log_cb(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    log_level_t l = level <= 3 ? LOG_ERROR : level <= 4 ? LOG_WARN : LOG_INFO;
    log_write(l, "kafka_log", "%s: %s: %s", rd_kafka_name(rk), fac, buf);
}

static int conf_set(rd_kafka_conf_t *conf, const char *key, const char *value, char *errstr,
                    size_t errstr_size)
{
    char err[512];
    if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
        snprintf(errstr, errstr_size, "%s: %s", key, err);
        return -1;
    }
    return 0;
}

rd_kafka_conf_t *kafka_conf_new(const config_t *cfg, const char *const *defaults,
                                const char *const *extra, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_log_cb(conf, kafka_log_cb);
    if (conf_set(conf, "bootstrap.servers", cfg->brokers, errstr, errstr_size))
        goto fail;
    for (size_t i = 0; defaults && defaults[i]; i += 2)
        if (conf_set(conf, defaults[i], defaults[i + 1], errstr, errstr_size))
            goto fail;
    /* The -X list already holds the properties file's entries first; each
     * is "key=value" (config.c checked the '='). */
    for (size_t i = 0; i < cfg->kafka_prop_count; i++) {
        char *key = strdup(cfg->kafka_props[i]);
        if (!key) {
            snprintf(errstr, errstr_size, "out of memory");
            goto fail;
        }
        char *eq = strchr(key, '=');
        *eq = '\0';
        int rc = conf_set(conf, key, eq + 1, errstr, errstr_size);
        free(key);
        if (rc)
            goto fail;
    }
    for (size_t i = 0; extra && extra[i]; i += 2)
        if (conf_set(conf, extra[i], extra[i + 1], errstr, errstr_size))
            goto fail;
    return conf;
fail:
    rd_kafka_conf_destroy(conf);
    return NULL;
}

/* A producer's client-wide errors (served from the service's poll calls). */
static void producer_error_cb(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        health_set_kafka_up(false);
    log_error("kafka_error", "%s: %s: %s", rd_kafka_name(rk),
              rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

int kafka_reachable(rd_kafka_t *rk, int timeout_ms)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, NULL, &md, timeout_ms);
    if (md)
        rd_kafka_metadata_destroy(md);
    return err ? -1 : 0;
}

rd_kafka_t *kafka_producer_new(const config_t *cfg, bool idempotent,
                               void (*dr_cb)(rd_kafka_t *, const rd_kafka_message_t *, void *),
                               void *opaque, char *errstr, size_t errstr_size)
{
    /* A message waits at most 1 ms for others to share its request (5 is
     * librdkafka's default): alerts go out at once, and under load requests
     * still fill while earlier ones are in flight. */
    const char *defaults[] = {"message.timeout.ms", "30000", "linger.ms", "1", NULL};
    const char *extra[] = {"enable.idempotence", idempotent ? "true" : "false", NULL};
    rd_kafka_conf_t *conf = kafka_conf_new(cfg, defaults, extra, errstr, errstr_size);
    if (!conf)
        return NULL;
    if (dr_cb)
        rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_error_cb(conf, producer_error_cb);
    rd_kafka_conf_set_opaque(conf, opaque);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, errstr_size);
    if (!rk)
        rd_kafka_conf_destroy(conf); /* not taken over on failure */
    return rk;
}

typedef struct topic_spec {
    const char *name;
    int input;           /* partitions from the argument */
    const char *cleanup; /* cleanup.policy */
} topic_spec_t;

int kafka_create_topics(rd_kafka_t *rk, const config_t *cfg, int partitions, int replication,
                        char *errstr, size_t errstr_size)
{
    static const topic_spec_t specs[] = {
        {TOPIC_VACANCY, 1, "delete"},      {TOPIC_APPOINTMENT, 1, "delete"},
        {TOPIC_APPRAISAL, 1, "delete"},    {TOPIC_ALERTS, 1, "delete"},
        {TOPIC_POST_STATUS, 1, "compact"}, {TOPIC_DLQ, 0, "delete"},
        {TOPIC_PROGRAMME, 1, "compact"},
    };
    enum { N = sizeof specs / sizeof specs[0] };
    rd_kafka_NewTopic_t *topics[N] = {0};
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    int rc = -1;
    char err[512];
    for (size_t i = 0; i < N; i++) {
        char name[256];
        config_topic(cfg, specs[i].name, name, sizeof name);
        topics[i] = rd_kafka_NewTopic_new(name, specs[i].input ? partitions : 1, replication, err,
                                          sizeof err);
        if (!topics[i]) {
            snprintf(errstr, errstr_size, "%s: %s", name, err);
            goto done;
        }
        rd_kafka_NewTopic_set_config(topics[i], "cleanup.policy", specs[i].cleanup);
        /* Keep the inputs and dead letters long enough to replay. */
        if (strcmp(specs[i].cleanup, "delete") == 0)
            rd_kafka_NewTopic_set_config(topics[i], "retention.ms", "2592000000");
        rd_kafka_NewTopic_set_config(topics[i], "max.message.bytes", "1048576");
    }
    rd_kafka_CreateTopics(rk, topics, N, NULL, queue);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(queue, 30000);
    const rd_kafka_CreateTopics_result_t *res = ev ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    if (!res) {
        snprintf(errstr, errstr_size, "no answer from the broker to CreateTopics%s%s",
                 ev ? ": " : "", ev ? rd_kafka_event_error_string(ev) : "");
        goto done_ev;
    }
    size_t count;
    const rd_kafka_topic_result_t **results = rd_kafka_CreateTopics_result_topics(res, &count);
    rc = 0;
    for (size_t i = 0; i < count; i++) {
        rd_kafka_resp_err_t e = rd_kafka_topic_result_error(results[i]);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR || e == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            continue;
        snprintf(errstr, errstr_size, "%s: %s", rd_kafka_topic_result_name(results[i]),
                 rd_kafka_topic_result_error_string(results[i]));
        rc = -1;
    }
done_ev:
    if (ev)
        rd_kafka_event_destroy(ev);
done:
    for (size_t i = 0; i < N; i++)
        if (topics[i])
            rd_kafka_NewTopic_destroy(topics[i]);
    rd_kafka_queue_destroy(queue);
    return rc;
}

int kafka_high_watermarks(rd_kafka_t *rk, const char *topic, long long *high, int max, int *count,
                          char *errstr, size_t errstr_size)
{
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err) {
        snprintf(errstr, errstr_size, "%s: metadata: %s", topic, rd_kafka_err2str(err));
        return -1;
    }
    int rc = 0;
    *count = 0;
    if (md->topic_cnt != 1 || md->topics[0].err) {
        snprintf(errstr, errstr_size, "%s: %s", topic,
                 md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "not found");
        rc = -1;
    }
    for (int p = 0; rc == 0 && p < md->topics[0].partition_cnt && p < max; p++) {
        int64_t lo, hi;
        err = rd_kafka_query_watermark_offsets(rk, topic, md->topics[0].partitions[p].id, &lo, &hi,
                                               10000);
        if (err) {
            snprintf(errstr, errstr_size, "%s [%d]: %s", topic, p, rd_kafka_err2str(err));
            rc = -1;
            break;
        }
        high[md->topics[0].partitions[p].id < max ? md->topics[0].partitions[p].id : p] = hi;
        (*count)++;
    }
    rd_kafka_metadata_destroy(md);
    return rc;
}
