/* worker: the consume loop, batching, dead letters, offsets and the batch
 * transaction, shared by every event worker. */
#include "worker.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datetime.h"
#include "db.h"
#include "health.h"
#include "events.h"
#include "judge.h"
#include "kafka.h"
#include "log.h"
#include "service.h"
#include "sha256.h"

/* A dead letter too large to copy keeps this much of its value and key. */
#define BOUNDED_VALUE_BYTES 1024
#define BOUNDED_KEY_BYTES   256
/* Room left for the headers a dead letter gets on top of the original. */
#define OWN_HEADERS_BYTES 2048
/* How long asking the broker for a partition's high watermark may take. */
#define WATERMARK_TIMEOUT_MS 1000
/* A message of the batch judged (judge.h), and its dead letter's fate. */
typedef struct judged {
    judgement_t j;
    bool bounded; /* dead: its dead letter must be the bounded record */
    bool sent;    /* dead: its dead letter is persisted on the topic */
} judged_t;

typedef struct worker {
    const worker_spec_t *spec;
    const events_kind_t *kind; /* the topic's events */
    char *apply_sql;           /* SELECT * FROM <apply function>($1, ...) */
    config_t cfg;
    char topic[256], dlq_topic[256], group[256];
    db_t *db;
    rd_kafka_t *consumer;
    rd_kafka_t *producer; /* dead letters */
    /* The next offset stored in PostgreSQL of each assigned partition, for
     * the consumer lag (RD_KAFKA_OFFSET_BEGINNING: none stored yet). */
    rd_kafka_topic_partition_list_t *positions;
    rd_kafka_message_t **batch; /* owned messages, batch_count of them ... */
    judged_t *judged;           /* ... each judged as it arrived */
    size_t batch_count;
    size_t batch_bytes;    /* messages and their JSON, for the byte bound */
    bool batch_broken;     /* a message could not be judged (out of memory) */
    int dlq_pending;       /* delivery reports of dead letters still to come */
    bool fenced;           /* the batch's partitions moved on elsewhere */
    bool refusal_is_fault; /* a refusal now cannot be the data's doing: retry it */
    char refusal[512];     /* why the database last refused a slice */
} worker_t;

/* Records partition's next offset stored in PostgreSQL. */
static void set_position(worker_t *w, int32_t partition, int64_t next)
{
    rd_kafka_topic_partition_t *p =
        rd_kafka_topic_partition_list_find(w->positions, w->topic, partition);
    if (!p)
        p = rd_kafka_topic_partition_list_add(w->positions, w->topic, partition);
    p->offset = next;
}

/* Shows the lag of every assigned partition on /metrics: its high watermark
 * less the next offset stored. The watermarks are librdkafka's latest from
 * its fetches, or, with ask_broker (when the loop is held up and the fetch
 * queue may be full, so that no fetch brings news), asked of the broker. */
static void report_lag(worker_t *w, bool ask_broker)
{
    for (int i = 0; i < w->positions->cnt; i++) {
        const rd_kafka_topic_partition_t *p = &w->positions->elems[i];
        int64_t low = -1, high = -1;
        rd_kafka_resp_err_t err =
            ask_broker
                ? rd_kafka_query_watermark_offsets(w->consumer, w->topic, p->partition, &low, &high,
                                                   WATERMARK_TIMEOUT_MS)
                : rd_kafka_get_watermark_offsets(w->consumer, w->topic, p->partition, &low, &high);
        int64_t next = p->offset >= 0 ? p->offset : low;
        if (err || high < 0 || next < 0)
            continue; /* not known yet */
        if (health_set_lag(w->topic, p->partition, (long)(high > next ? high - next : 0)))
            log_warn("lag_unreported", "out of memory");
    }
}

/* Sets every partition of parts to its next offset stored in PostgreSQL (the
 * beginning when none is), waiting for the database if it is down. Returns 0,
 * or -1 when shutting down first. */
static int load_offsets(worker_t *w, rd_kafka_topic_partition_list_t *parts)
{
    const char *params[] = {w->group, w->topic};
    for (;;) {
        char err[512];
        PGresult *res;
        if (!db_is_up(w->db))
            health_set_db_up(false); /* while db_connect_wait() waits */
        if (db_connect_wait(w->db, &service_running))
            return -1;
        db_status_t st = db_exec(w->db,
                                 "SELECT partition, next_offset FROM consumer_offset "
                                 "WHERE consumer_group = $1 AND topic = $2",
                                 2, params, &res, err, sizeof err);
        health_set_db_up(db_is_up(w->db));
        health_heartbeat();
        if (st == DB_OK) {
            for (int i = 0; i < parts->cnt; i++) {
                parts->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
                for (int r = 0; r < PQntuples(res); r++)
                    if (atoi(PQgetvalue(res, r, 0)) == parts->elems[i].partition)
                        parts->elems[i].offset = atoll(PQgetvalue(res, r, 1));
            }
            PQclear(res);
            return 0;
        }
        log_warn("offsets_unavailable", "cannot read stored offsets: %s", err);
        datetime_sleep_ms(500);
    }
}

static void judged_free(judged_t *j)
{
    judgement_free(&j->j);
    j->bounded = j->sent = false;
}

/* Destroys the batch's messages of the partitions in parts (all when NULL). */
static void drop_batch(worker_t *w, const rd_kafka_topic_partition_list_t *parts)
{
    size_t kept = 0;
    for (size_t i = 0; i < w->batch_count; i++) {
        rd_kafka_message_t *m = w->batch[i];
        if (!parts ||
            rd_kafka_topic_partition_list_find(parts, rd_kafka_topic_name(m->rkt), m->partition)) {
            rd_kafka_message_destroy(m);
            judged_free(&w->judged[i]);
        } else {
            w->judged[kept] = w->judged[i];
            w->batch[kept++] = m;
        }
    }
    w->batch_count = kept;
    if (kept == 0) {
        w->batch_bytes = 0;
        w->batch_broken = false;
    }
}

/* Partitions come from the offsets in PostgreSQL; revoked ones leave the
 * batch in hand unapplied (their next owner starts from the same offsets). */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
    worker_t *w = opaque;
    const bool cooperative = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    rd_kafka_error_t *error = NULL;
    rd_kafka_resp_err_t e = RD_KAFKA_RESP_ERR_NO_ERROR;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (load_offsets(w, parts))
            return; /* shutting down: the close that follows revokes */
        for (int i = 0; i < parts->cnt; i++) {
            set_position(w, parts->elems[i].partition, parts->elems[i].offset);
            log_info("partition_assigned", "%s [%d] from offset %lld", parts->elems[i].topic,
                     parts->elems[i].partition, (long long)parts->elems[i].offset);
        }
        if (cooperative)
            error = rd_kafka_incremental_assign(rk, parts);
        else
            e = rd_kafka_assign(rk, parts);
    } else {
        drop_batch(w, parts);
        for (int i = 0; i < parts->cnt; i++) {
            rd_kafka_topic_partition_list_del(w->positions, w->topic, parts->elems[i].partition);
            health_forget_lag(w->topic, parts->elems[i].partition);
        }
        log_info("partitions_revoked", "%d partition(s)%s", parts->cnt,
                 rd_kafka_assignment_lost(rk) ? " (lost)" : "");
        if (cooperative)
            error = rd_kafka_incremental_unassign(rk, parts);
        else
            e = rd_kafka_assign(rk, NULL);
    }
    if (error) {
        log_error("assign_failed", "%s", rd_kafka_error_string(error));
        rd_kafka_error_destroy(error);
    } else if (e) {
        log_error("assign_failed", "%s", rd_kafka_err2str(e));
    } else if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        health_set_kafka_up(true); /* the group coordinator answered */
    }
}

/* librdkafka's client-wide errors (served from our poll calls, on this
 * thread). Kafka is kept simple: down when librdkafka reports every broker
 * connection down, up again at the next message polled or the next
 * assignment (an idle worker stays "down" until one of these happens). */
static void on_kafka_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
    if (err == RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN)
        health_set_kafka_up(false);
    log_error("kafka_error", "%s: %s: %s", rd_kafka_name(rk),
              rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

/* Moves every assigned partition back to its stored offset, after a batch
 * was abandoned: nothing of it is applied, so it is consumed again. */
static void rewind_to_stored(worker_t *w)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(w->consumer, &parts) || !parts)
        return;
    /* A partition left where it was would skip what was abandoned: every
     * partition's seek must succeed (each reports its own error), so it is
     * tried again until it does. */
    while (parts->cnt > 0 && service_running && load_offsets(w, parts) == 0) {
        for (int i = 0; i < parts->cnt; i++)
            parts->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
        rd_kafka_error_t *error = rd_kafka_seek_partitions(w->consumer, parts, 10000);
        const char *why = error ? rd_kafka_error_string(error) : NULL;
        for (int i = 0; !why && i < parts->cnt; i++)
            why = parts->elems[i].err ? rd_kafka_err2str(parts->elems[i].err) : NULL;
        if (!why) {
            for (int i = 0; i < parts->cnt; i++)
                set_position(w, parts->elems[i].partition, parts->elems[i].offset);
            break;
        }
        log_error("seek_failed", "%s; trying again", why);
        if (error)
            rd_kafka_error_destroy(error);
        datetime_sleep_ms(500);
    }
    rd_kafka_topic_partition_list_destroy(parts);
}

/* Errors that sending the same dead letter again cannot mend: it is too
 * large for the producer, the broker or the topic. */
static bool too_large(rd_kafka_resp_err_t err)
{
    return err == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE ||
           err == RD_KAFKA_RESP_ERR_RECORD_LIST_TOO_LARGE ||
           err == RD_KAFKA_RESP_ERR_INVALID_MSG_SIZE;
}

static void on_dlq_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    worker_t *w = opaque;
    judged_t *j = m->_private;
    w->dlq_pending--;
    if (!m->err && rd_kafka_message_status(m) == RD_KAFKA_MSG_STATUS_PERSISTED) {
        j->sent = true;
        return;
    }
    if (too_large(m->err) && !j->bounded)
        j->bounded = true; /* sent again as the bounded record */
    log_warn("dlq_delivery_failed", "%s", rd_kafka_err2str(m->err));
}

/* Polls into the batch until it holds batch_max_events messages or
 * batch_max_bytes bytes, batch_max_ms have passed since its first message,
 * or nothing more is in hand: a batch closes as soon as the consumer's
 * queue is empty, so an idle system answers at once and a busy one batches.
 * Returns early (possibly empty) when idle. Each message is judged as it
 * arrives. */
static void fill_batch(worker_t *w)
{
    long deadline = 0;
    while (service_running && !w->batch_broken &&
           w->batch_count < (size_t)w->cfg.batch_max_events &&
           w->batch_bytes < (size_t)w->cfg.batch_max_bytes) {
        if (w->batch_count > 0 && datetime_monotonic_ms() >= deadline)
            break;
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->consumer, w->batch_count ? 0 : 500);
        health_heartbeat();
        if (!m) {
            if (w->batch_count == 0)
                report_lag(w, false); /* idle: what arrived since is lag */
            return;                   /* nothing (more) in hand */
        }
        if (m->err) {
            /* Informational: end of partition, transient broker trouble. */
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                log_warn("consume_error", "%s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        if (!atomic_load(&health_metrics.kafka_up))
            health_set_kafka_up(true);
        if (w->batch_count == 0)
            deadline = datetime_monotonic_ms() + w->cfg.batch_max_ms;
        judgement_t *j = &w->judged[w->batch_count].j;
        w->batch[w->batch_count++] = m;
        w->batch_broken =
            judge_message(w->kind, m->payload, m->len, (size_t)w->cfg.max_event_bytes, j) != 0;
        w->batch_bytes += m->len + m->key_len + j->row_len;
        if (!w->batch_broken && !j->row)
            log_warn("event_dead", "%s [%d] @%lld: %s", w->topic, (int)m->partition,
                     (long long)m->offset, j->reason);
    }
}

/* The dead letter's own headers; input headers of these names are dropped,
 * so that a forged one cannot pass for ours. */
static const char *const own_headers[] = {
    DLQ_REASON,    DLQ_SOURCE_TOPIC,  DLQ_SOURCE_PARTITION, DLQ_SOURCE_OFFSET,    DLQ_WORKER,
    DLQ_TRUNCATED, DLQ_ORIGINAL_SIZE, DLQ_ORIGINAL_SHA256,  DLQ_ORIGINAL_KEY_SIZE};

/* The bytes the input headers of m take (names and values). */
static size_t header_bytes(const rd_kafka_message_t *m)
{
    rd_kafka_headers_t *in = NULL;
    size_t total = 0, size, i = 0;
    const char *name;
    const void *value;
    if (rd_kafka_message_headers(m, &in) == RD_KAFKA_RESP_ERR_NO_ERROR && in)
        while (rd_kafka_header_get_all(in, i++, &name, &value, &size) == 0)
            total += strlen(name) + size;
    return total;
}

/* Produces the dead letter of m: its original key, value and headers with
 * headers saying why and where from; or, when that would not fit within
 * max_dead_letter_bytes (or Kafka refused it as too large), the bounded
 * record: the first bytes of the value and key, their sizes and the
 * value's SHA-256. Returns 0 (queued) or -1. */
static int produce_dead_letter(worker_t *w, const rd_kafka_message_t *m, judged_t *j)
{
    if (!j->bounded && m->len + m->key_len + header_bytes(m) + OWN_HEADERS_BYTES >
                           (size_t)w->cfg.max_dead_letter_bytes)
        j->bounded = true;
    rd_kafka_headers_t *in = NULL, *hdrs;
    if (!j->bounded && rd_kafka_message_headers(m, &in) == RD_KAFKA_RESP_ERR_NO_ERROR && in)
        hdrs = rd_kafka_headers_copy(in);
    else
        hdrs = rd_kafka_headers_new(9);
    for (size_t i = 0; i < sizeof own_headers / sizeof own_headers[0]; i++)
        rd_kafka_header_remove(hdrs, own_headers[i]);
    char partition[16], offset[24];
    snprintf(partition, sizeof partition, "%d", (int)m->partition);
    snprintf(offset, sizeof offset, "%lld", (long long)m->offset);
    rd_kafka_header_add(hdrs, DLQ_REASON, -1, j->j.reason, -1);
    rd_kafka_header_add(hdrs, DLQ_SOURCE_TOPIC, -1, w->topic, -1);
    rd_kafka_header_add(hdrs, DLQ_SOURCE_PARTITION, -1, partition, -1);
    rd_kafka_header_add(hdrs, DLQ_SOURCE_OFFSET, -1, offset, -1);
    rd_kafka_header_add(hdrs, DLQ_WORKER, -1, w->spec->name, -1);
    size_t value_len = m->len, key_len = m->key_len;
    if (j->bounded) {
        char size[24], key_size[24], digest[SHA256_HEX_SIZE];
        snprintf(size, sizeof size, "%zu", m->len);
        snprintf(key_size, sizeof key_size, "%zu", m->key_len);
        sha256_hex(m->payload, m->len, digest);
        rd_kafka_header_add(hdrs, DLQ_TRUNCATED, -1, "true", -1);
        rd_kafka_header_add(hdrs, DLQ_ORIGINAL_SIZE, -1, size, -1);
        rd_kafka_header_add(hdrs, DLQ_ORIGINAL_SHA256, -1, digest, -1);
        rd_kafka_header_add(hdrs, DLQ_ORIGINAL_KEY_SIZE, -1, key_size, -1);
        value_len = value_len < BOUNDED_VALUE_BYTES ? value_len : BOUNDED_VALUE_BYTES;
        key_len = key_len < BOUNDED_KEY_BYTES ? key_len : BOUNDED_KEY_BYTES;
    }
    rd_kafka_resp_err_t err = rd_kafka_producev(
        w->producer, RD_KAFKA_V_TOPIC(w->dlq_topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(m->payload, value_len), RD_KAFKA_V_KEY(m->key, key_len),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(j), RD_KAFKA_V_END);
    if (err) {
        rd_kafka_headers_destroy(hdrs); /* not taken over on failure */
        if (too_large(err) && !j->bounded) {
            j->bounded = true;
            return produce_dead_letter(w, m, j);
        }
        log_warn("dlq_produce_failed", "%s", rd_kafka_err2str(err));
        return -1;
    }
    if (j->bounded)
        atomic_fetch_add(&health_metrics.dead_letters_bounded, 1);
    w->dlq_pending++;
    return 0;
}

/* Sends the dead letters of msgs[0..count-1] not sent yet and waits until
 * every one is persisted, retrying while Kafka is unavailable; each goes out
 * once per batch, however often its slice is tried. Returns 0, or -1 when
 * shutting down first (the batch is then left unapplied). */
static int send_dead_letters(worker_t *w, rd_kafka_message_t **msgs, judged_t *judged, size_t count)
{
    for (long backoff = 200;; backoff = backoff < 5000 ? backoff * 2 : 5000) {
        int failed = 0;
        w->dlq_pending = 0;
        for (size_t i = 0; i < count; i++)
            if (!judged[i].j.row && !judged[i].sent)
                failed |= produce_dead_letter(w, msgs[i], &judged[i]);
        while (w->dlq_pending > 0) {
            rd_kafka_poll(w->producer, 100);
            health_heartbeat();
        }
        bool all_sent = !failed;
        for (size_t i = 0; i < count; i++)
            all_sent &= judged[i].j.row || judged[i].sent;
        if (all_sent)
            return 0;
        if (!service_running)
            return -1;
        log_warn("dlq_unavailable", "dead letters not persisted; retrying in %ld ms", backoff);
        datetime_sleep_ms(backoff);
    }
}

typedef struct pgarray {
    char *buf;
    size_t len, cap;
} pgarray_t;

/* The parts of one batch transaction: a slice of the batch in hand (all of
 * it, unless the database refused it and it is being narrowed down). */
typedef struct batch_tx {
    worker_t *w;
    rd_kafka_message_t **msgs; /* borrowed from the batch */
    judged_t *judged;
    size_t count;
    /* The valid events as columns: partition, offset, then the kind's. */
    pgarray_t columns[2 + EVENTS_MAX_COLUMNS];
    size_t column_count;
    int valid_count;
    long outcomes[3]; /* applied, duplicate, parked */
} batch_tx_t;

static int append_long(pgarray_t *a, long long v)
{
    return db_array_append_long(&a->buf, &a->len, &a->cap, v);
}

/* Stores the next offsets of the slice's partitions, fenced: false in
 * *fenced when another consumer moved one of them on already. */
static db_status_t store_offsets(batch_tx_t *tx, char *errstr, size_t errstr_size)
{
    pgarray_t parts = {0}, firsts = {0}, nexts = {0};
    db_status_t st = DB_OK;
    /* Messages of a partition are in offset order, but partitions interleave. */
    for (size_t i = 0; st == DB_OK && i < tx->count; i++) {
        const rd_kafka_message_t *m = tx->msgs[i];
        bool seen = false;
        for (size_t k = 0; k < i && !seen; k++)
            seen = tx->msgs[k]->partition == m->partition;
        if (seen)
            continue;
        long long last = m->offset;
        for (size_t k = i + 1; k < tx->count; k++)
            if (tx->msgs[k]->partition == m->partition && tx->msgs[k]->offset > last)
                last = tx->msgs[k]->offset;
        if (append_long(&parts, m->partition) || append_long(&firsts, m->offset) ||
            append_long(&nexts, last + 1))
            st = DB_FAULT;
    }
    if (st == DB_OK && (db_array_finish(&parts.buf, &parts.len, &parts.cap) ||
                        db_array_finish(&firsts.buf, &firsts.len, &firsts.cap) ||
                        db_array_finish(&nexts.buf, &nexts.len, &nexts.cap)))
        st = DB_FAULT;
    PGresult *res = NULL;
    if (st == DB_OK) {
        const char *params[] = {tx->w->group, tx->w->topic, parts.buf, firsts.buf, nexts.buf};
        st = db_exec(tx->w->db,
                     "SELECT store_offsets($1, $2, $3::int[], $4::bigint[], $5::bigint[])", 5,
                     params, &res, errstr, errstr_size);
    } else {
        snprintf(errstr, errstr_size, "out of memory");
    }
    if (st == DB_OK) {
        tx->w->fenced = PQgetvalue(res, 0, 0)[0] != 't';
        if (tx->w->fenced) {
            snprintf(errstr, errstr_size, "offsets already moved on by another consumer");
            st = DB_FAULT;
        }
    }
    PQclear(res);
    free(parts.buf);
    free(firsts.buf);
    free(nexts.buf);
    return st;
}

/* Records the slice's dead letters as such in the intake ledger. */
static db_status_t log_dead(batch_tx_t *tx, char *errstr, size_t errstr_size)
{
    pgarray_t arr[4] = {0};
    db_status_t st = DB_OK;
    for (size_t i = 0; st == DB_OK && i < tx->count; i++) {
        const judgement_t *j = &tx->judged[i].j;
        if (j->row)
            continue;
        if (append_long(&arr[0], tx->msgs[i]->partition) ||
            append_long(&arr[1], tx->msgs[i]->offset) ||
            db_array_append(&arr[2].buf, &arr[2].len, &arr[2].cap, j->event_id) ||
            db_array_append(&arr[3].buf, &arr[3].len, &arr[3].cap, j->reason))
            st = DB_FAULT;
    }
    for (int k = 0; k < 4 && st == DB_OK; k++)
        if (db_array_finish(&arr[k].buf, &arr[k].len, &arr[k].cap))
            st = DB_FAULT;
    if (st == DB_OK) {
        const char *params[] = {tx->w->topic, arr[0].buf, arr[1].buf, arr[2].buf, arr[3].buf};
        st = db_exec(
            tx->w->db,
            "INSERT INTO event_log (topic, partition, \"offset\", event_id, outcome, reason) "
            "SELECT $1, u.p, u.o, u.e, 'dead', u.r FROM unnest($2::int[], $3::bigint[], "
            "$4::text[], $5::text[]) AS u(p, o, e, r) ON CONFLICT DO NOTHING",
            5, params, NULL, errstr, errstr_size);
    } else {
        snprintf(errstr, errstr_size, "out of memory");
    }
    for (int k = 0; k < 4; k++)
        free(arr[k].buf);
    return st;
}

/* Applies the valid events (the apply function only folds them into facts
 * and marks what they touched dirty). */
static db_status_t apply_events(batch_tx_t *tx, char *errstr, size_t errstr_size)
{
    const char *params[1 + 2 + EVENTS_MAX_COLUMNS] = {tx->w->topic};
    for (size_t c = 0; c < tx->column_count; c++)
        params[1 + c] = tx->columns[c].buf;
    PGresult *res;
    db_status_t st = db_exec(tx->w->db, tx->w->apply_sql, 1 + (int)tx->column_count, params, &res,
                             errstr, errstr_size);
    if (st != DB_OK)
        return st;
    for (int k = 0; k < 3 && PQntuples(res) == 1; k++)
        tx->outcomes[k] = atol(PQgetvalue(res, 0, k));
    PQclear(res);
    return DB_OK;
}

/* One batch, one transaction: offsets (fenced), dead letters, events. */
static db_status_t batch_transaction(db_t *db, void *arg, char *errstr, size_t errstr_size)
{
    batch_tx_t *tx = arg;
    memset(tx->outcomes, 0, sizeof tx->outcomes);
    db_status_t st = store_offsets(tx, errstr, errstr_size);
    if (st == DB_OK && tx->valid_count < (int)tx->count)
        st = log_dead(tx, errstr, errstr_size);
    if (st == DB_OK && tx->valid_count > 0)
        st = apply_events(tx, errstr, errstr_size);
    return st;
}

/* After a commit: the batch's next offsets become the partitions'
 * positions, and go to librdkafka's auto-commit, so that Kafka's view of
 * the group's lag stays true. Never read back: PostgreSQL holds the offsets
 * that count. Partitions revoked meanwhile are skipped. */
static void store_kafka_offsets(worker_t *w, rd_kafka_message_t **msgs, size_t count)
{
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(8);
    for (size_t i = 0; i < count; i++) {
        const rd_kafka_message_t *m = msgs[i];
        rd_kafka_topic_partition_t *p =
            rd_kafka_topic_partition_list_find(list, w->topic, m->partition);
        if (!p)
            p = rd_kafka_topic_partition_list_add(list, w->topic, m->partition);
        if (m->offset + 1 > p->offset)
            p->offset = m->offset + 1;
    }
    for (int i = 0; i < list->cnt; i++)
        if (rd_kafka_topic_partition_list_find(w->positions, w->topic, list->elems[i].partition))
            set_position(w, list->elems[i].partition, list->elems[i].offset);
    rd_kafka_offsets_store(w->consumer, list); /* ERR__STATE for revoked ones: fine */
    rd_kafka_topic_partition_list_destroy(list);
    report_lag(w, false);
}

/* Adds an applied batch to the metrics. */
static void count_batch(const batch_tx_t *tx, long elapsed_ms)
{
    atomic_fetch_add(&health_metrics.messages_applied, tx->outcomes[0]);
    atomic_fetch_add(&health_metrics.messages_duplicate, tx->outcomes[1]);
    atomic_fetch_add(&health_metrics.messages_parked, tx->outcomes[2]);
    atomic_fetch_add(&health_metrics.messages_dead, (long)tx->count - (long)tx->valid_count);
    atomic_fetch_add(&health_metrics.batches, 1);
    atomic_store(&health_metrics.last_batch_ms, elapsed_ms);
    health_observe_batch(elapsed_ms);
}

/* How applying a slice ended. */
typedef enum { SLICE_APPLIED, SLICE_REFUSED, SLICE_ABANDONED } slice_end_t;

/* One transaction for the slice, retried until it commits: through outages
 * and faults (permissions, a schema behind the binary, timeouts: the worker
 * is not ready meanwhile, and nothing is dead-lettered) with capped back-off.
 * SLICE_REFUSED when the database refuses the same data twice (a rule
 * PostgreSQL enforces that validation does not), SLICE_ABANDONED when fenced
 * or shutting down. */
static slice_end_t apply_once(batch_tx_t *tx)
{
    worker_t *w = tx->w;
    char err[1024];
    long started = datetime_monotonic_ms();
    int refused = 0;
    for (long backoff = 100;; backoff = backoff < 5000 ? backoff * 2 : 5000) {
        w->fenced = false;
        db_status_t st = db_connect_wait(w->db, &service_running)
                             ? DB_DOWN
                             : db_transaction(w->db, batch_transaction, tx, err, sizeof err);
        health_set_db_up(db_is_up(w->db));
        health_set_db_fault(st == DB_FAULT && !w->fenced ? err : NULL);
        health_heartbeat();
        if (st == DB_OK) {
            count_batch(tx, datetime_monotonic_ms() - started);
            log_info("batch_applied",
                     "%zu events (%ld applied, %ld duplicate, %ld parked, %zu dead) of a batch "
                     "holding %zu KB, %ld ms",
                     tx->count, tx->outcomes[0], tx->outcomes[1], tx->outcomes[2],
                     tx->count - (size_t)tx->valid_count, w->batch_bytes / 1024,
                     datetime_monotonic_ms() - started);
            store_kafka_offsets(w, tx->msgs, tx->count);
            return SLICE_APPLIED;
        }
        atomic_fetch_add(&health_metrics.batch_failures, 1);
        if (w->fenced) {
            log_warn("batch_fenced", "%s; resuming from the stored offsets", err);
            return SLICE_ABANDONED;
        }
        if (st == DB_REFUSED && !w->refusal_is_fault && ++refused == 2) {
            snprintf(w->refusal, sizeof w->refusal, "%.480s", err);
            return SLICE_REFUSED;
        }
        if (st == DB_REFUSED)
            health_set_db_fault(err);
        log_error(st == DB_DOWN    ? "db_unavailable"
                  : st == DB_FAULT ? "db_fault"
                                   : "batch_failed",
                  "batch of %zu not applied (retrying in %ld ms): %s", tx->count, backoff, err);
        if (!service_running)
            return SLICE_ABANDONED; /* nothing committed; it comes back on restart */
        if (atomic_load(&health_metrics.kafka_up))
            report_lag(w, true); /* held up: fetches may have stopped */
        datetime_sleep_ms(backoff);
    }
}

/* Builds the columns of the slice's valid events into tx. Returns 0, or -1
 * when out of memory. */
static int slice_columns(batch_tx_t *tx)
{
    tx->column_count = 2 + events_column_count(tx->w->kind);
    tx->valid_count = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < tx->count; i++) {
        const judgement_t *j = &tx->judged[i].j;
        if (!j->row)
            continue;
        tx->valid_count++;
        rc = append_long(&tx->columns[0], tx->msgs[i]->partition) ||
             append_long(&tx->columns[1], tx->msgs[i]->offset);
        const char *value = j->row;
        for (size_t c = 2; rc == 0 && c < tx->column_count; c++) {
            pgarray_t *a = &tx->columns[c];
            bool null = j->nulls & (1u << (c - 2));
            rc = db_array_append(&a->buf, &a->len, &a->cap, null ? NULL : value);
            value += strlen(value) + 1;
        }
    }
    for (size_t c = 0; rc == 0 && c < tx->column_count; c++)
        rc = db_array_finish(&tx->columns[c].buf, &tx->columns[c].len, &tx->columns[c].cap);
    return rc ? -1 : 0;
}

static void slice_free(batch_tx_t *tx)
{
    for (size_t c = 0; c < tx->column_count; c++)
        free(tx->columns[c].buf);
}

/* Dead-letters and applies msgs[0..count-1], judged. A slice the database
 * refuses is halved until the one event it refuses is found; that event is
 * dead-lettered with the database's reason and the rest applied, so that
 * no input stops a worker. A dead letter that cannot be recorded as it is
 * is recorded without its event id, the refusal added to its reason. Returns
 * false when the rest of the batch must be abandoned (fenced, shutting down
 * or out of memory). */
static bool apply_slice(worker_t *w, rd_kafka_message_t **msgs, judged_t *judged, size_t count)
{
    batch_tx_t tx = {.w = w, .msgs = msgs, .judged = judged, .count = count};
    slice_end_t end = SLICE_ABANDONED;
    if (slice_columns(&tx) == 0 &&
        (tx.valid_count == (int)count || send_dead_letters(w, msgs, judged, count) == 0))
        end = apply_once(&tx);
    slice_free(&tx);
    if (end != SLICE_REFUSED)
        return end == SLICE_APPLIED;
    if (count > 1)
        return apply_slice(w, msgs, judged, count / 2) &&
               apply_slice(w, msgs + count / 2, judged + count / 2, count - count / 2);
    judgement_t *j = &judged->j;
    char reason[1024]; /* judgement_set_dead cuts it to fit */
    if (j->row) {
        snprintf(reason, sizeof reason, "refused by PostgreSQL: %s", w->refusal);
    } else if (j->event_id) {
        snprintf(reason, sizeof reason, "%.400s (recorded without its event id: %.400s)", j->reason,
                 w->refusal);
        free(j->event_id);
        j->event_id = NULL;
    } else {
        /* Even the plainest record is refused: that is not the event's
         * doing. Keep trying it as a fault (not ready meanwhile). */
        log_error("dead_letter_unrecorded", "%s [%d] @%lld: %s; retrying", w->topic,
                  (int)msgs[0]->partition, (long long)msgs[0]->offset, w->refusal);
        w->refusal_is_fault = true;
        bool applied = apply_slice(w, msgs, judged, 1);
        w->refusal_is_fault = false;
        return applied;
    }
    judgement_set_dead(j, reason);
    log_error("event_dead", "%s [%d] @%lld: %s", w->topic, (int)msgs[0]->partition,
              (long long)msgs[0]->offset, j->reason);
    return apply_slice(w, msgs, judged, 1);
}

/* Dead-letters and applies the batch in hand (see apply_slice); the batch is
 * emptied either way. What is abandoned is consumed again from the stored
 * offsets, so that nothing is skipped. */
static void process_batch(worker_t *w)
{
    bool applied = false;
    if (w->batch_broken)
        log_error("batch_abandoned", "out of memory judging a batch of %zu; consuming it again",
                  w->batch_count);
    else
        applied = apply_slice(w, w->batch, w->judged, w->batch_count);
    drop_batch(w, NULL);
    if (!applied && service_running) {
        rewind_to_stored(w);
        datetime_sleep_ms(100);
    }
}

/* The call of the kind's apply function with one parameter per column:
 * SELECT * FROM f($1, $2, ...). Returns 0, or -1 when out of memory. */
static int apply_sql_of(worker_t *w)
{
    size_t params = 1 + 2 + events_column_count(w->kind);
    size_t size = strlen(w->spec->apply_function) + 32 + 6 * params;
    w->apply_sql = malloc(size);
    if (!w->apply_sql)
        return -1;
    size_t n = (size_t)snprintf(w->apply_sql, size, "SELECT * FROM %s(", w->spec->apply_function);
    for (size_t p = 1; p <= params; p++)
        n += (size_t)snprintf(w->apply_sql + n, size - n, "%s$%zu", p > 1 ? ", " : "", p);
    snprintf(w->apply_sql + n, size - n, ")");
    return 0;
}

/* Creates the database handle, the dead-letter producer and the consumer
 * (not subscribed yet). Returns 0, or -1 with the reason in errstr. */
static int worker_open(worker_t *w, char *errstr, size_t errstr_size)
{
    w->kind = events_kind_by_name(w->spec->kind);
    if (!w->kind) {
        snprintf(errstr, errstr_size, "no event kind '%s'", w->spec->kind);
        return -1;
    }
    if (apply_sql_of(w)) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    config_topic(&w->cfg, w->kind->topic, w->topic, sizeof w->topic);
    config_topic(&w->cfg, TOPIC_DLQ, w->dlq_topic, sizeof w->dlq_topic);
    if (config_group(&w->cfg, w->spec->name, w->group, sizeof w->group, errstr, errstr_size))
        return -1;
    w->batch = calloc((size_t)w->cfg.batch_max_events, sizeof *w->batch);
    w->judged = calloc((size_t)w->cfg.batch_max_events, sizeof *w->judged);
    w->positions = rd_kafka_topic_partition_list_new(8);
    w->db = service_db_new(&w->cfg);
    if (!w->batch || !w->judged || !w->positions || !w->db) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    w->producer = kafka_producer_new(&w->cfg, true, on_dlq_delivery, w, errstr, errstr_size);
    if (!w->producer)
        return -1;
    /* A small prefetch queue bounds memory. Its limit counts payload bytes
     * per partition, every queued message costs some 200 bytes more, and a
     * fetch may overshoot it by one max.partition.fetch.bytes. Too small
     * starves the worker: librdkafka 2.0.2 stops fetching for a fixed second
     * once the limit is reached. 768 kB is the measured balance (1,000,000
     * events: 16 MB gave 81 MB peak RSS; 768 kB 20 MB at 13% less
     * throughput; 512 kB 19 MB at 35% less). Offsets are ours, not Kafka's. */
    const char *defaults[] = {"queued.max.messages.kbytes",
                              "768",
                              "max.partition.fetch.bytes",
                              "262144",
                              "auto.offset.reset",
                              "earliest",
                              "enable.partition.eof",
                              "false",
                              NULL};
    const char *extra[] = {
        "group.id", w->group, "enable.auto.offset.store", "false", "enable.auto.commit",
        "true",     NULL};
    rd_kafka_conf_t *conf = kafka_conf_new(&w->cfg, defaults, extra, errstr, errstr_size);
    if (!conf)
        return -1;
    rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
    rd_kafka_conf_set_error_cb(conf, on_kafka_error);
    rd_kafka_conf_set_opaque(conf, w);
    w->consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, errstr_size);
    if (!w->consumer) {
        rd_kafka_conf_destroy(conf);
        return -1;
    }
    conf = NULL; /* now owned by the consumer */
    rd_kafka_poll_set_consumer(w->consumer);
    return 0;
}

/* Joins the consumer group on the topic. Returns 0, or -1 with the reason. */
static int worker_subscribe(worker_t *w, char *errstr, size_t errstr_size)
{
    rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(topics, w->topic, RD_KAFKA_PARTITION_UA);
    rd_kafka_resp_err_t err = rd_kafka_subscribe(w->consumer, topics);
    rd_kafka_topic_partition_list_destroy(topics);
    if (err) {
        snprintf(errstr, errstr_size, "subscribe %s: %s", w->topic, rd_kafka_err2str(err));
        return -1;
    }
    return 0;
}

/* Leaves the group at once, flushes the dead-letter producer, frees all. */
static void worker_close(worker_t *w)
{
    health_stop();
    if (w->judged)
        drop_batch(w, NULL);
    if (w->consumer) {
        rd_kafka_consumer_close(w->consumer);
        rd_kafka_destroy(w->consumer);
    }
    if (w->producer) {
        rd_kafka_flush(w->producer, 10000);
        rd_kafka_destroy(w->producer);
    }
    if (w->positions)
        rd_kafka_topic_partition_list_destroy(w->positions);
    db_free(w->db);
    free(w->batch);
    free(w->judged);
    free(w->apply_sql);
    config_free(&w->cfg);
}

int worker_main(const worker_spec_t *spec, int argc, char **argv)
{
    worker_t w = {.spec = spec};
    char *rest[argc > 0 ? argc : 1];
    int rest_count;
    char usage[256];
    snprintf(usage, sizeof usage,
             "Usage: %s [settings]\nConsumes the %s topic into the succession model.\n\n",
             spec->name, spec->kind);
    service_status_t s = service_init(spec->name, usage, argc, argv, &w.cfg, rest, &rest_count);
    if (s != SERVICE_OK) {
        config_free(&w.cfg);
        return s == SERVICE_HELP ? 0 : 2;
    }
    if (rest_count > 0) {
        fprintf(stderr, "%s: unknown argument '%s' (see --help)\n", spec->name, rest[0]);
        config_free(&w.cfg);
        return 2;
    }
    service_install_signals();
    char err[512];
    int rc = 0;
    if (worker_open(&w, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", spec->name, err);
        rc = 2;
        goto done;
    }
    if (service_health_start(spec->name, &w.cfg, err, sizeof err)) {
        fprintf(stderr, "%s: --http-port: %s\n", spec->name, err);
        rc = 2;
        goto done;
    }
    /* Nothing is consumed before the schema is known to be new enough. */
    s = service_check_schema(spec->name, w.db);
    if (s != SERVICE_OK) {
        rc = s == SERVICE_USAGE ? 2 : 0;
        goto done;
    }
    if (worker_subscribe(&w, err, sizeof err)) {
        fprintf(stderr, "%s: %s\n", spec->name, err);
        rc = 2;
        goto done;
    }
    log_info("worker_started", "consuming %s as group %s", w.topic, w.group);
    while (service_running) {
        fill_batch(&w);
        if (w.batch_count > 0)
            process_batch(&w);
    }
    log_info("worker_stopping", "leaving the group");
done:
    worker_close(&w);
    return rc;
}
