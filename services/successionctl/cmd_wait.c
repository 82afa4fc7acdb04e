/* successionctl wait: returns once every worker has consumed everything
 * published to its topic, evaluated what it touched, and the outbox is
 * empty. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "events.h"
#include "kafka.h"
#include "service.h"

#define WAIT_MAX_PARTITIONS 256

/* Messages of the kind's topic not yet applied by its worker's group, into
 * *behind. Returns 0 or -1 with the reason. */
static int kind_lag(ctl_t *ctl, rd_kafka_t *rk, const events_kind_t *kind, long long *behind,
                    char *errstr, size_t errstr_size)
{
    char topic[256], group[256];
    long long high[WAIT_MAX_PARTITIONS];
    int count;
    config_topic(&ctl->cfg, kind->topic, topic, sizeof topic);
    snprintf(group, sizeof group, "%ssuccession-%s-worker", ctl->cfg.topic_prefix, kind->name);
    if (kafka_high_watermarks(rk, topic, high, WAIT_MAX_PARTITIONS, &count, errstr, errstr_size))
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

int cmd_wait(ctl_t *ctl, int argc, char **argv)
{
    double timeout = 300;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc && atof(argv[i + 1]) > 0) {
            timeout = atof(argv[++i]);
        } else {
            ctl_error("wait", "usage: wait [--timeout SECONDS]");
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
    struct timespec start, now, pause = {0, 200 * 1000000L};
    clock_gettime(CLOCK_MONOTONIC, &start);
    int rc = 1;
    char behind_text[512] = "";
    while (service_running) {
        long long total = 0, rows = 0, behind = 0;
        size_t n = 0;
        int failed = outbox_rows(ctl, &rows, err, sizeof err);
        n += (size_t)snprintf(behind_text, sizeof behind_text, "%lld outbox or dirty rows", rows);
        for (size_t k = 0; !failed && k < events_kind_count; k++) {
            failed = kind_lag(ctl, rk, &events_kinds[k], &behind, err, sizeof err);
            total += behind;
            if (n < sizeof behind_text)
                n += (size_t)snprintf(behind_text + n, sizeof behind_text - n,
                                      ", %s-worker %lld behind", events_kinds[k].name, behind);
        }
        if (!failed && total == 0 && rows == 0) {
            rc = 0;
            break;
        }
        if (!failed)
            ctl_progress("%s", behind_text);
        clock_gettime(CLOCK_MONOTONIC, &now);
        double elapsed = (double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9;
        if (elapsed > timeout) {
            ctl_error("wait", "timed out after %.0f s: %s", timeout, failed ? err : behind_text);
            break;
        }
        nanosleep(&pause, NULL);
    }
    ctl_progress_end();
    rd_kafka_destroy(rk);
    return rc;
}
