/* successionctl wait: returns once every worker has consumed everything
 * published to its topic, evaluated what it touched, and the outbox is
 * empty.
 *
 * A worker's progress is the offsets its consumer group stored in
 * PostgreSQL, under the group name the worker itself uses (config_group).
 * With the group-id setting, every worker started with it consumes as that
 * one group, each on its own topic, so wait reads that group on all three
 * input topics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "topic_reader.h"
#include "datetime.h"
#include "events.h"
#include "kafka.h"
#include "service.h"

#define WAIT_PAUSE_MS 200

static const char wait_usage_detail[] =
    "  --timeout S  gives up after S seconds (default 300) and exits 1\n"
    "  Each worker's progress is read under its consumer group: <prefix>succession-\n"
    "  <kind>-worker, or with --group-id G (SUCCESSION_GROUP_ID) G for all three workers,\n"
    "  as workers started with that same setting share it. Workers given group ids of\n"
    "  their own cannot be waited for together.\n";

/* Messages of the kind's topic not yet applied by its worker's group, into
 * *behind. Returns 0 or -1 with the reason. */
static int kind_lag(ctl_t *ctl, rd_kafka_t *rk, const events_kind_t *kind, long long *behind,
                    char *errstr, size_t errstr_size)
{
    char topic[256], group[256], service[64];
    long long high[READER_MAX_PARTITIONS];
    int count;
    config_topic(&ctl->cfg, kind->topic, topic, sizeof topic);
    snprintf(service, sizeof service, "%s-worker", kind->name);
    if (config_group(&ctl->cfg, service, group, sizeof group, errstr, errstr_size) ||
        kafka_high_watermarks(rk, topic, high, READER_MAX_PARTITIONS, &count, errstr, errstr_size))
        return -1;
    PGresult *res;
    const char *params[] = {group, topic};
    if (db_exec(ctl->db,
                "SELECT partition, next_offset FROM consumer_offset "
                "WHERE consumer_group = $1 AND topic = $2",
                2, params, &res, errstr, errstr_size) != DB_OK)
        return -1;
    *behind = 0;
    for (int p = 0; p < count; p++) {
        long long done = 0;
        for (int r = 0; r < PQntuples(res); r++)
            if (atoi(PQgetvalue(res, r, 0)) == p)
                done = atoll(PQgetvalue(res, r, 1));
        *behind += high[p] > done ? high[p] - done : 0;
    }
    PQclear(res);
    return 0;
}

static int outbox_rows(ctl_t *ctl, long long *rows, char *errstr, size_t errstr_size)
{
    PGresult *res;
    /* Rows to relay, and posts and persons still to evaluate. */
    if (db_exec(ctl->db,
                "SELECT (SELECT count(*) FROM outbox) + (SELECT count(*) FROM dirty_post) + "
                "(SELECT count(*) FROM dirty_person)",
                0, NULL, &res, errstr, errstr_size) != DB_OK)
        return -1;
    *rows = atoll(PQgetvalue(res, 0, 0));
    PQclear(res);
    return 0;
}

/* Measures what is left to do into *left, described in text. Returns 0, or
 * -1 with the reason in errstr. */
static int work_left(ctl_t *ctl, rd_kafka_t *rk, long long *left, char *text, size_t text_size,
                     char *errstr, size_t errstr_size)
{
    long long rows = 0, behind = 0;
    if (outbox_rows(ctl, &rows, errstr, errstr_size))
        return -1;
    size_t n = (size_t)snprintf(text, text_size, "%lld outbox or dirty rows", rows);
    *left = rows;
    for (size_t k = 0; k < events_kind_count; k++) {
        if (kind_lag(ctl, rk, &events_kinds[k], &behind, errstr, errstr_size))
            return -1;
        *left += behind;
        if (n < text_size)
            n += (size_t)snprintf(text + n, text_size - n, ", %s-worker %lld behind",
                                  events_kinds[k].name, behind);
    }
    return 0;
}

int cmd_wait(ctl_t *ctl, int argc, char **argv)
{
    double timeout = 300;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc && atof(argv[i + 1]) > 0) {
            timeout = atof(argv[++i]);
        } else {
            ctl_error("wait", "usage: wait [--timeout SECONDS]");
            fputs(wait_usage_detail, stderr);
            return 2;
        }
    }
    char err[512];
    if (!ctl_db(ctl, "wait"))
        return 1;
    rd_kafka_t *rk = kafka_producer_new(&ctl->cfg, false, NULL, NULL, err, sizeof err);
    if (!rk) {
        ctl_error("wait", "%s", err);
        return 2;
    }
    long start = datetime_monotonic_ms();
    int rc = 1;
    char left_text[512] = "";
    while (service_running) {
        long long left = 0;
        int failed = work_left(ctl, rk, &left, left_text, sizeof left_text, err, sizeof err);
        if (!failed && left == 0) {
            rc = 0;
            break;
        }
        if (!failed)
            ctl_progress("%s", left_text);
        if (datetime_monotonic_ms() - start > timeout * 1000) {
            ctl_error("wait", "timed out after %.0f s: %s", timeout, failed ? err : left_text);
            break;
        }
        datetime_sleep_ms(WAIT_PAUSE_MS);
    }
    ctl_progress_end();
    rd_kafka_destroy(rk);
    return rc;
}
