/* successionctl status and alerts: what the system concludes, for people
 * (a table, a line per alert) and for programs (--json: JSON Lines in the
 * proto3 JSON mapping). */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl.h"
#include "kafka.h"
#include "pbjson.h"
#include "service.h"
#include "succession/v1/outputs.pb-c.h"

static void print_json_line(const ProtobufCMessage *msg)
{
    json_t *j = pbjson_encode(msg);
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (text)
        puts(text);
    free(text);
    json_decref(j);
}

static const char *enum_short(const ProtobufCEnumDescriptor *d, int value, size_t prefix)
{
    const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);
    return v ? v->name + prefix : "?";
}

static void print_status_row(const Succession__V1__PostStatus *s)
{
    char reasons[512] = "";
    size_t n = 0;
    for (size_t i = 0; i < s->n_reasons && n < sizeof reasons; i++)
        n += (size_t)snprintf(reasons + n, sizeof reasons - n, "%s%s", i ? "," : "",
                              enum_short(&succession__v1__reason__descriptor, s->reasons[i], 7));
    char post[80], incumbent[80];
    printf("%-10s %-14s %-24s %-23s %-8s %3d %4d %5d  %-10s %-10s %s\n",
           enum_short(&succession__v1__severity__descriptor, s->severity, 9),
           ctl_shown(s->post_id, strlen(s->post_id), post, sizeof post), s->region, s->role,
           s->ods_code, s->ready_now, s->ready_soon, s->stale_nominations,
           ctl_shown(s->incumbent_person_id, strlen(s->incumbent_person_id), incumbent,
                     sizeof incumbent),
           s->leaving_date[0] ? s->leaving_date : "-", reasons);
}

/* At-risk designated posts counted by region and severity. */
typedef struct summary {
    char regions[16][32];
    int counts[16][4]; /* by Severity */
    int region_count;
} summary_t;

static void summary_add(summary_t *sum, const Succession__V1__PostStatus *s)
{
    int r = 0;
    while (r < sum->region_count && strcmp(sum->regions[r], s->region) != 0)
        r++;
    if (r == sum->region_count && r < 16)
        snprintf(sum->regions[sum->region_count++], sizeof sum->regions[0], "%s", s->region);
    if (r < 16 && s->severity >= 0 && s->severity < 4)
        sum->counts[r][s->severity]++;
}

static void summary_print(const summary_t *sum)
{
    int total[4] = {0};
    printf("%-26s %8s %6s %6s %10s\n", "REGION", "CRITICAL", "HIGH", "MEDIUM", "NOT AT RISK");
    for (int r = 0; r < sum->region_count; r++) {
        const int *c = sum->counts[r];
        printf("%-26s %8d %6d %6d %10d\n", sum->regions[r], c[3], c[2], c[1], c[0]);
        for (int k = 0; k < 4; k++)
            total[k] += c[k];
    }
    printf("%-26s %8d %6d %6d %10d\n", "ALL REGIONS", total[3], total[2], total[1], total[0]);
}

int cmd_status(ctl_t *ctl, int argc, char **argv)
{
    bool json = false, summary = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (strcmp(argv[i], "--summary") == 0) {
            summary = true;
        } else {
            ctl_error("status", "usage: status [--json | --summary]");
            return 2;
        }
    }
    summary_t sum = {0};
    db_t *db = ctl_db(ctl, "status");
    if (!db)
        return 1;
    PGresult *res;
    char err[512];
    if (db_exec(db,
                "SELECT s.status FROM post_state s JOIN post p USING (post_id) "
                "WHERE p.designated ORDER BY s.severity DESC, s.post_id",
                0, NULL, &res, err, sizeof err) != DB_OK) {
        ctl_error("status", "%s", err);
        return 1;
    }
    if (!json && !summary)
        printf("%-10s %-14s %-24s %-23s %-8s %3s %4s %5s  %-10s %-10s %s\n", "SEVERITY", "POST",
               "REGION", "ROLE", "ORG", "NOW", "SOON", "STALE", "INCUMBENT", "LEAVING", "REASONS");
    int rc = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        size_t len;
        uint8_t *bytes = db_bytea_decode(PQgetvalue(res, i, 0), &len);
        Succession__V1__PostStatus *s =
            bytes ? succession__v1__post_status__unpack(NULL, len, bytes) : NULL;
        if (!s) {
            ctl_error("status", "a stored status cannot be decoded");
            rc = 1;
        } else if (json) {
            print_json_line(&s->base);
        } else if (summary) {
            summary_add(&sum, s);
        } else {
            print_status_row(s);
        }
        if (s)
            succession__v1__post_status__free_unpacked(s, NULL);
        free(bytes);
    }
    if (summary)
        summary_print(&sum);
    if (!json)
        printf("%d designated posts\n", PQntuples(res));
    PQclear(res);
    return rc;
}

typedef struct alerts_opts {
    bool from_beginning, json, until_idle;
} alerts_opts_t;

static void print_alert(const rd_kafka_message_t *m, bool json)
{
    Succession__V1__SuccessionAlert *a =
        succession__v1__succession_alert__unpack(NULL, m->len, m->payload);
    if (!a) {
        fprintf(stderr, "successionctl alerts: [%d] @%lld cannot be decoded\n", (int)m->partition,
                (long long)m->offset);
        return;
    }
    if (json) {
        print_json_line(&a->base);
    } else {
        char reasons[512] = "";
        size_t n = 0;
        for (size_t i = 0; i < a->n_reasons && n < sizeof reasons; i++)
            n +=
                (size_t)snprintf(reasons + n, sizeof reasons - n, "%s%s", i ? "," : "",
                                 enum_short(&succession__v1__reason__descriptor, a->reasons[i], 7));
        char id[96], cause[80];
        printf(
            "%-16s %-10s %-9s ready now %d, soon %d  %s  (caused by %s)\n",
            ctl_shown(a->alert_id, strlen(a->alert_id), id, sizeof id),
            enum_short(&succession__v1__alert_state__descriptor, a->state, 12),
            enum_short(&succession__v1__severity__descriptor, a->severity, 9), a->ready_now,
            a->ready_soon, reasons,
            ctl_shown(a->caused_by_event_id, strlen(a->caused_by_event_id), cause, sizeof cause));
    }
    fflush(stdout);
    succession__v1__succession_alert__free_unpacked(a, NULL);
}

/* Assigns every partition of the alert topic at the start or the end. */
static int assign_all(rd_kafka_t *rk, const char *topic, bool from_beginning, int *partitions,
                      char *errstr, size_t errstr_size)
{
    long long high[256];
    if (kafka_high_watermarks(rk, topic, high, 256, partitions, errstr, errstr_size))
        return -1;
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(*partitions);
    for (int p = 0; p < *partitions; p++)
        rd_kafka_topic_partition_list_add(list, topic, p)->offset =
            from_beginning ? RD_KAFKA_OFFSET_BEGINNING : RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t err = rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err) {
        snprintf(errstr, errstr_size, "assign: %s", rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

/* Prints alerts until interrupted, or with until_idle once every partition
 * reached its end and nothing came for a second. */
static int read_alerts(rd_kafka_t *rk, int partitions, const alerts_opts_t *o)
{
    int at_end = 0;
    long quiet_ms = 0;
    while (service_running) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
        if (!m) {
            quiet_ms += 200;
            if (o->until_idle && at_end >= partitions && quiet_ms >= 1000)
                break;
            continue;
        }
        quiet_ms = 0;
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF)
            at_end++;
        else if (m->err)
            fprintf(stderr, "successionctl alerts: %s\n", rd_kafka_message_errstr(m));
        else
            print_alert(m, o->json);
        rd_kafka_message_destroy(m);
    }
    return 0;
}

int cmd_alerts(ctl_t *ctl, int argc, char **argv)
{
    alerts_opts_t o = {0};
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--from-beginning") == 0)
            o.from_beginning = true;
        else if (strcmp(argv[i], "--json") == 0)
            o.json = true;
        else if (strcmp(argv[i], "--until-idle") == 0)
            o.until_idle = true;
        else {
            ctl_error("alerts", "usage: alerts [--from-beginning] [--json] [--until-idle]");
            return 2;
        }
    }
    char err[512], topic[256], group[64];
    config_topic(&ctl->cfg, TOPIC_ALERTS, topic, sizeof topic);
    snprintf(group, sizeof group, "successionctl-alerts-%d", (int)getpid());
    /* Partitions are assigned, not subscribed: the group is never joined. */
    const char *extra[] = {"group.id", group, "enable.auto.commit", "false", "enable.partition.eof",
                           "true",     NULL};
    rd_kafka_conf_t *conf = kafka_conf_new(&ctl->cfg, NULL, extra, err, sizeof err);
    rd_kafka_t *rk = conf ? rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err) : NULL;
    if (!rk) {
        if (conf)
            rd_kafka_conf_destroy(conf);
        ctl_error("alerts", "%s", err);
        return 2;
    }
    conf = NULL; /* now owned by rk */
    rd_kafka_poll_set_consumer(rk);
    int partitions = 0, rc = 0;
    if (assign_all(rk, topic, o.from_beginning, &partitions, err, sizeof err)) {
        ctl_error("alerts", "%s", err);
        rc = 1;
    } else {
        rc = read_alerts(rk, partitions, &o);
    }
    rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
    return rc;
}
