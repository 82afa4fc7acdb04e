/* outbox: the relay from the outbox table to Kafka. */
#include "outbox.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

/* Per-relay delivery bookkeeping, reached through the producer's opaque. */
typedef struct relay {
    int pending;
    bool *persisted; /* by row index */
} relay_t;

static relay_t current;

void outbox_delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    size_t row = (size_t)(uintptr_t)m->_private;
    current.pending--;
    if (!m->err && rd_kafka_message_status(m) == RD_KAFKA_MSG_STATUS_PERSISTED)
        current.persisted[row] = true;
    else
        log_warn("outbox_delivery_failed", "%s: %s", rd_kafka_topic_name(m->rkt),
                 rd_kafka_err2str(m->err));
}

/* Produces row i of res (id, kind, post_id, payload). */
static int produce_row(rd_kafka_t *producer, const char *alerts, const char *statuses,
                       const PGresult *res, int i)
{
    size_t len;
    uint8_t *payload = db_unhex(PQgetvalue(res, i, 3), &len);
    const char *key = PQgetvalue(res, i, 2);
    const char *topic = strcmp(PQgetvalue(res, i, 1), "alert") == 0 ? alerts : statuses;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__FAIL;
    while (payload &&
           (err = rd_kafka_producev(
                producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_VALUE(payload, len), RD_KAFKA_V_KEY(key, strlen(key)),
                RD_KAFKA_V_OPAQUE((void *)(uintptr_t)i), RD_KAFKA_V_END)) ==
               RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(producer, 50);
    free(payload);
    if (err)
        return -1;
    current.pending++;
    return 0;
}

/* Ids of the persisted rows, leaving out every row of a post from its first
 * undelivered one on. */
static int persisted_ids(const PGresult *res, char **arr, size_t *len, size_t *cap, long *count)
{
    int n = PQntuples(res);
    *count = 0;
    for (int i = 0; i < n; i++) {
        bool blocked = false;
        for (int j = 0; j <= i && !blocked; j++)
            blocked =
                !current.persisted[j] && strcmp(PQgetvalue(res, j, 2), PQgetvalue(res, i, 2)) == 0;
        if (blocked)
            continue;
        if (db_array_append(arr, len, cap, PQgetvalue(res, i, 0)))
            return -1;
        (*count)++;
    }
    return db_array_finish(arr, len, cap);
}

long outbox_relay(db_t *db, rd_kafka_t *producer, const config_t *cfg, int max_rows,
                  db_status_t *status, char *errstr, size_t errstr_size)
{
    char limit[16], alerts[256], statuses[256];
    snprintf(limit, sizeof limit, "%d", max_rows);
    config_topic(cfg, TOPIC_ALERTS, alerts, sizeof alerts);
    config_topic(cfg, TOPIC_POST_STATUS, statuses, sizeof statuses);
    PGresult *res;
    const char *params[] = {limit};
    *status = db_exec(db, "SELECT id, kind, post_id, payload FROM outbox ORDER BY id LIMIT $1", 1,
                      params, &res, errstr, errstr_size);
    if (*status != DB_OK)
        return -1;
    int n = PQntuples(res);
    long deleted = 0;
    char *ids = NULL;
    size_t len = 0, cap = 0;
    current.pending = 0;
    current.persisted = calloc(n ? (size_t)n : 1, sizeof *current.persisted);
    if (!current.persisted)
        goto oom;
    for (int i = 0; i < n; i++)
        if (produce_row(producer, alerts, statuses, res, i))
            break; /* the rest wait for the next round */
    while (current.pending > 0)
        rd_kafka_poll(producer, 50);
    if (persisted_ids(res, &ids, &len, &cap, &deleted))
        goto oom;
    if (deleted > 0) {
        const char *del[] = {ids};
        *status = db_exec(db, "DELETE FROM outbox WHERE id = ANY ($1::bigint[])", 1, del, NULL,
                          errstr, errstr_size);
        if (*status != DB_OK)
            deleted = -1;
    }
    goto done;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    *status = DB_ERROR;
    deleted = -1;
done:
    free(ids);
    free(current.persisted);
    current.persisted = NULL;
    PQclear(res);
    return deleted;
}
