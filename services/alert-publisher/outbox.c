/* outbox: the relay from the outbox table to Kafka. */
#include "outbox.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "log.h"

typedef enum { ROW_PENDING, ROW_PERSISTED, ROW_RETRY, ROW_REFUSED } row_result_t;

/* One relay round: a slot per row read, each message's opaque pointing at
 * its row's slot. Lives on outbox_relay's stack. */
typedef struct relay relay_t;
typedef struct row {
    relay_t *relay;
    row_result_t result;
    rd_kafka_resp_err_t err;
} row_t;
struct relay {
    row_t *rows;
    int pending; /* delivery reports still to come */
};

/* Where each kind of outbox row goes (the topics with the prefix). */
typedef struct relay_topics {
    char alerts[256], statuses[256], summaries[256];
} relay_topics_t;

/* Errors that sending the same row again cannot mend. */
static bool refused_for_good(rd_kafka_resp_err_t err)
{
    return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ||
           err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE ||
           err == RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE || err == RD_KAFKA_RESP_ERR_INVALID_RECORD ||
           err == RD_KAFKA_RESP_ERR_INVALID_MSG;
}

void outbox_delivery_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    row_t *row = m->_private;
    row->relay->pending--;
    row->err = m->err;
    if (!m->err && rd_kafka_message_status(m) == RD_KAFKA_MSG_STATUS_PERSISTED) {
        row->result = ROW_PERSISTED;
        health_set_kafka_up(true);
        return;
    }
    row->result = refused_for_good(m->err) ? ROW_REFUSED : ROW_RETRY;
    log_warn("outbox_delivery_failed", "%s: %s", rd_kafka_topic_name(m->rkt),
             rd_kafka_err2str(m->err));
}

/* Produces row i of res (id, kind, post_id, payload) with its slot as the
 * opaque; a row the producer refuses at once as too large is marked so. */
static void produce_row(rd_kafka_t *producer, const relay_topics_t *topics, const PGresult *res,
                        int i, row_t *row)
{
    size_t len;
    uint8_t *payload = db_bytea_decode(PQgetvalue(res, i, 3), &len);
    const char *key = PQgetvalue(res, i, 2);
    const char *kind = PQgetvalue(res, i, 1);
    const char *topic = strcmp(kind, "alert") == 0    ? topics->alerts
                        : strcmp(kind, "status") == 0 ? topics->statuses
                                                      : topics->summaries;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__FAIL;
    while (payload &&
           (err = rd_kafka_producev(
                producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_VALUE(payload, len), RD_KAFKA_V_KEY(key, strlen(key)),
                RD_KAFKA_V_OPAQUE(row), RD_KAFKA_V_END)) == RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(producer, 50);
    free(payload);
    row->err = err;
    if (!err)
        row->relay->pending++;
    else
        row->result = refused_for_good(err) ? ROW_REFUSED : ROW_RETRY;
}

/* Sorts the rows into ids to delete and ids to move aside: a persisted row
 * goes unless an earlier row of its post must be sent again. */
static int sort_rows(const PGresult *res, const row_t *rows, char **done, size_t *done_len,
                     size_t *done_cap, char **refused, size_t *refused_len, size_t *refused_cap,
                     outbox_round_t *round)
{
    int n = PQntuples(res), blocked_count = 0;
    const char **blocked = calloc(n ? (size_t)n : 1, sizeof *blocked); /* posts held back */
    if (!blocked)
        return -1;
    int rc = 0;
    for (int i = 0; rc == 0 && i < n; i++) {
        const char *post = PQgetvalue(res, i, 2);
        bool held = false;
        for (int b = 0; b < blocked_count && !held; b++)
            held = strcmp(blocked[b], post) == 0;
        if (rows[i].result == ROW_REFUSED) {
            rc = db_array_append(refused, refused_len, refused_cap, PQgetvalue(res, i, 0));
            round->failed++;
            log_error("outbox_row_refused", "%s row %s of post %s refused by Kafka for good: %s",
                      PQgetvalue(res, i, 1), PQgetvalue(res, i, 0), post,
                      rd_kafka_err2str(rows[i].err));
        } else if (rows[i].result == ROW_PERSISTED && !held) {
            rc = db_array_append(done, done_len, done_cap, PQgetvalue(res, i, 0));
            round->relayed++;
        } else if (!held) {
            blocked[blocked_count++] = post;
        }
    }
    free(blocked);
    if (rc == 0)
        rc = db_array_finish(done, done_len, done_cap) ||
             db_array_finish(refused, refused_len, refused_cap);
    return rc;
}

db_status_t outbox_relay(db_t *db, rd_kafka_t *producer, const config_t *cfg, int max_rows,
                         outbox_round_t *round, char *errstr, size_t errstr_size)
{
    char limit[16];
    snprintf(limit, sizeof limit, "%d", max_rows);
    relay_topics_t topics;
    config_topic(cfg, TOPIC_ALERTS, topics.alerts, sizeof topics.alerts);
    config_topic(cfg, TOPIC_POST_STATUS, topics.statuses, sizeof topics.statuses);
    config_topic(cfg, TOPIC_PROGRAMME, topics.summaries, sizeof topics.summaries);
    memset(round, 0, sizeof *round);
    PGresult *res;
    const char *params[] = {limit};
    db_status_t st =
        db_exec(db, "SELECT id, kind, post_id, payload FROM outbox ORDER BY id LIMIT $1", 1, params,
                &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    int n = PQntuples(res);
    round->read = n;
    relay_t relay = {.rows = calloc(n ? (size_t)n : 1, sizeof(row_t))};
    char *done = NULL, *refused = NULL;
    size_t done_len = 0, done_cap = 0, refused_len = 0, refused_cap = 0;
    if (!relay.rows)
        goto oom;
    for (int i = 0; i < n; i++) {
        relay.rows[i].relay = &relay;
        produce_row(producer, &topics, res, i, &relay.rows[i]);
    }
    while (relay.pending > 0)
        rd_kafka_poll(producer, 50);
    if (sort_rows(res, relay.rows, &done, &done_len, &done_cap, &refused, &refused_len,
                  &refused_cap, round))
        goto oom;
    if (round->failed > 0) {
        const char *moved[] = {refused};
        st = db_exec(db,
                     "WITH moved AS (DELETE FROM outbox WHERE id = ANY ($1::bigint[]) RETURNING *) "
                     "INSERT INTO outbox_failed (id, kind, post_id, payload, created_at) "
                     "SELECT id, kind, post_id, payload, created_at FROM moved",
                     1, moved, NULL, errstr, errstr_size);
    }
    if (st == DB_OK && round->relayed > 0) {
        const char *del[] = {done};
        st = db_exec(db, "DELETE FROM outbox WHERE id = ANY ($1::bigint[])", 1, del, NULL, errstr,
                     errstr_size);
    }
    goto done;
oom:
    snprintf(errstr, errstr_size, "out of memory");
    st = DB_FAULT;
done:
    free(done);
    free(refused);
    free(relay.rows);
    PQclear(res);
    return st;
}
