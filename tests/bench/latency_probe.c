/* latency_probe: how long from publishing an event to its alert on the
 * alert topic. Each probe withdraws, or nominates again, the one ready-now
 * successor of a post that has one ready-soon successor besides, so that
 * every probe flips the post between safe and at risk and raises exactly
 * one alert, whose causedByEventId names the probe. Probes go one at a
 * time, each timed from the produce call until its alert is read.
 *
 * Usage: latency_probe POST PERSON COUNT INTERVAL_MS
 * (settings from the environment, as every service reads them). A first
 * probe warms the clients up and is not counted. Prints one JSON object:
 * the probes, how many alerts never came (within 10 s), the median, 90th
 * and 99th percentile and maximum in milliseconds, and the medians of the
 * two halves of the way: publish to evaluation (the alert's evaluatedAt)
 * and evaluation to the alert read, and the first half of the slowest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "datetime.h"
#include "kafka.h"
#include "succession/v1/appraisal.pb-c.h"
#include "succession/v1/outputs.pb-c.h"

#define ALERT_WAIT_MS 10000

static int by_value(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return x < y ? -1 : x > y;
}

/* The packed probe: a withdrawal (withdraw) or a ready-now nomination. */
static uint8_t *probe_event(const char *post, const char *person, const char *id, bool withdraw,
                            size_t *len)
{
    Succession__V1__EventHeader h = SUCCESSION__V1__EVENT_HEADER__INIT;
    Google__Protobuf__Timestamp at = GOOGLE__PROTOBUF__TIMESTAMP__INIT;
    datetime_now(&at.seconds, &at.nanos);
    h.event_id = (char *)id;
    h.occurred_at = &at;
    h.source = "latency-probe";
    char today[DATE_TEXT_SIZE];
    datetime_format_date(datetime_today(), today);
    Succession__V1__SuccessorNominated nominated = SUCCESSION__V1__SUCCESSOR_NOMINATED__INIT;
    Succession__V1__SuccessorWithdrawn withdrawn = SUCCESSION__V1__SUCCESSOR_WITHDRAWN__INIT;
    Succession__V1__AppraisalEvent e = SUCCESSION__V1__APPRAISAL_EVENT__INIT;
    e.header = &h;
    if (withdraw) {
        withdrawn.post_id = (char *)post;
        withdrawn.person_id = (char *)person;
        e.event_case = SUCCESSION__V1__APPRAISAL_EVENT__EVENT_SUCCESSOR_WITHDRAWN;
        e.successor_withdrawn = &withdrawn;
    } else {
        nominated.post_id = (char *)post;
        nominated.person_id = (char *)person;
        nominated.readiness = SUCCESSION__V1__READINESS__READINESS_READY_NOW;
        nominated.assessed_on = today;
        e.event_case = SUCCESSION__V1__APPRAISAL_EVENT__EVENT_SUCCESSOR_NOMINATED;
        e.successor_nominated = &nominated;
    }
    *len = succession__v1__appraisal_event__get_packed_size(&e);
    uint8_t *bytes = malloc(*len);
    if (bytes)
        succession__v1__appraisal_event__pack(&e, bytes);
    return bytes;
}

/* A consumer of every partition of topic from its end. NULL on failure. */
static rd_kafka_t *alert_reader(const config_t *cfg, const char *topic)
{
    char err[512], group[64];
    snprintf(group, sizeof group, "latency-probe-%d", (int)getpid());
    const char *extra[] = {"group.id", group, "enable.auto.commit", "false", "fetch.wait.max.ms",
                           "10",       NULL};
    rd_kafka_conf_t *conf = kafka_conf_new(cfg, NULL, extra, err, sizeof err);
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err) : NULL;
    long long high[256];
    int partitions = 0;
    if (!rk || kafka_high_watermarks(rk, topic, high, 256, &partitions, err, sizeof err)) {
        fprintf(stderr, "latency_probe: %s\n", err);
        return NULL;
    }
    rd_kafka_poll_set_consumer(rk);
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
    for (int p = 0; p < partitions; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset = high[p];
    rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    return rk;
}

/* Wall-clock milliseconds, to compare with an alert's evaluatedAt. */
static long long wall_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Milliseconds until the alert caused by id is read, or -1; *to_evaluation
 * is how many of them passed before it was evaluated. */
static long await_alert(rd_kafka_t *reader, const char *id, long sent_at, long long sent_wall,
                        long *to_evaluation)
{
    while (datetime_monotonic_ms() - sent_at < ALERT_WAIT_MS) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(reader, 5);
        if (!m)
            continue;
        Succession__V1__SuccessionAlert *a =
            m->err ? NULL : succession__v1__succession_alert__unpack(NULL, m->len, m->payload);
        bool ours = a && strcmp(a->caused_by_event_id, id) == 0;
        if (ours && a->evaluated_at)
            *to_evaluation = (long)(a->evaluated_at->seconds * 1000 +
                                    a->evaluated_at->nanos / 1000000 - sent_wall);
        if (a)
            succession__v1__succession_alert__free_unpacked(a, NULL);
        rd_kafka_message_destroy(m);
        if (ours)
            return datetime_monotonic_ms() - sent_at;
    }
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: latency_probe POST PERSON COUNT INTERVAL_MS\n");
        return 2;
    }
    const char *post = argv[1], *person = argv[2];
    int count = atoi(argv[3]), interval = atoi(argv[4]);
    config_t cfg;
    char err[512], alerts[256], appraisal[256];
    if (config_init(&cfg, err, sizeof err)) {
        fprintf(stderr, "latency_probe: %s\n", err);
        return 2;
    }
    config_topic(&cfg, TOPIC_ALERTS, alerts, sizeof alerts);
    config_topic(&cfg, TOPIC_APPRAISAL, appraisal, sizeof appraisal);
    const char *defaults[] = {"linger.ms", "0", NULL};
    rd_kafka_conf_t *pconf = kafka_conf_new(&cfg, defaults, NULL, err, sizeof err);
    rd_kafka_t *producer = pconf ? rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err) : NULL;
    rd_kafka_t *reader = alert_reader(&cfg, alerts);
    if (!producer || !reader) {
        fprintf(stderr, "latency_probe: %s\n", err);
        return 1;
    }
    rd_kafka_poll(reader, 1000); /* let the assignment settle */
    long *took = calloc((size_t)count + 1, sizeof *took);
    long *first = calloc((size_t)count + 1, sizeof *first);
    long *second = calloc((size_t)count + 1, sizeof *second);
    int measured = 0, missed = 0;
    long slowest = -1, slowest_to_evaluation = -1;
    for (int i = -1; i < count && took && first && second; i++) {
        char id[64];
        snprintf(id, sizeof id, "probe-%d-%d", (int)getpid(), i + 1);
        size_t len;
        uint8_t *bytes = probe_event(post, person, id, (i + 1) % 2 == 0, &len);
        long sent_at = datetime_monotonic_ms();
        long long sent_wall = wall_ms();
        if (!bytes || rd_kafka_producev(producer, RD_KAFKA_V_TOPIC(appraisal),
                                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                                        RD_KAFKA_V_VALUE(bytes, len),
                                        RD_KAFKA_V_KEY(person, strlen(person)), RD_KAFKA_V_END)) {
            fprintf(stderr, "latency_probe: cannot produce probe %d\n", i);
            free(bytes);
            return 1;
        }
        free(bytes);
        rd_kafka_poll(producer, 0);
        long to_evaluation = 0, ms = await_alert(reader, id, sent_at, sent_wall, &to_evaluation);
        if (ms < 0 && i >= 0)
            missed++;
        else if (i >= 0) {
            first[measured] = to_evaluation;
            second[measured] = ms - to_evaluation;
            took[measured++] = ms;
            if (ms > slowest) {
                slowest = ms;
                slowest_to_evaluation = to_evaluation;
            }
        }
        datetime_sleep_ms(interval);
    }
    qsort(took, (size_t)measured, sizeof *took, by_value);
    qsort(first, (size_t)measured, sizeof *first, by_value);
    qsort(second, (size_t)measured, sizeof *second, by_value);
#define AT(a, q) (measured ? (a)[(size_t)((measured - 1) * (q) + 0.5)] : -1)
    printf("{\"probes\":%d,\"missed\":%d,\"p50_ms\":%ld,\"p90_ms\":%ld,\"p99_ms\":%ld,"
           "\"max_ms\":%ld,\"p50_to_evaluation_ms\":%ld,\"p50_evaluation_to_alert_ms\":%ld,"
           "\"slowest_to_evaluation_ms\":%ld}\n",
           count, missed, AT(took, 0.5), AT(took, 0.9), AT(took, 0.99), AT(took, 1.0),
           AT(first, 0.5), AT(second, 0.5), slowest_to_evaluation);
    free(took);
    free(first);
    free(second);
    rd_kafka_flush(producer, 5000);
    rd_kafka_destroy(producer);
    rd_kafka_consumer_close(reader);
    rd_kafka_destroy(reader);
    config_free(&cfg);
    return missed ? 1 : 0;
}
