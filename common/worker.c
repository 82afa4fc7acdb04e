/* worker: the consume loop, batching, dead letters, offsets and the batch
 * transaction, shared by every event worker. */
#include "worker.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "datetime.h"
#include "db.h"
#include "evaluate.h"
#include "health.h"
#include "kafka.h"
#include "log.h"
#include "pbjson.h"
#include "service.h"
#include "succession/v1/common.pb-c.h"
#include "validate.h"

typedef struct worker {
    const worker_spec_t *spec;
    config_t cfg;
    char topic[256], dlq_topic[256], group[256];
    db_t *db;
    rd_kafka_t *consumer;
    rd_kafka_t *producer;       /* dead letters */
    rd_kafka_message_t **batch; /* owned messages, batch_count of them */
    size_t batch_count;
    int dlq_pending, dlq_failed; /* delivery reports of the batch's dead letters */
    bool fenced;                 /* the batch's partitions moved on elsewhere */
    char refusal[512];           /* why the database last refused a slice */
} worker_t;

/* A message judged: the event as JSON (valid) or why it is dead. */
typedef struct judged {
    json_t *valid;    /* owned; NULL when dead */
    char reason[512]; /* dead: why */
    char *event_id;   /* dead: the event id when it could be read; owned */
} judged_t;

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

/* Destroys the batch's messages of the partitions in parts (all when NULL). */
static void drop_batch(worker_t *w, const rd_kafka_topic_partition_list_t *parts)
{
    size_t kept = 0;
    for (size_t i = 0; i < w->batch_count; i++) {
        rd_kafka_message_t *m = w->batch[i];
        if (!parts ||
            rd_kafka_topic_partition_list_find(parts, rd_kafka_topic_name(m->rkt), m->partition)) {
            rd_kafka_message_destroy(m);
        } else {
            w->batch[kept++] = m;
        }
    }
    w->batch_count = kept;
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
        for (int i = 0; i < parts->cnt; i++)
            log_info("partition_assigned", "%s [%d] from offset %lld", parts->elems[i].topic,
                     parts->elems[i].partition, (long long)parts->elems[i].offset);
        if (cooperative)
            error = rd_kafka_incremental_assign(rk, parts);
        else
            e = rd_kafka_assign(rk, parts);
    } else {
        drop_batch(w, parts);
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
 * was abandoned (database down at commit, or fenced). */
static void rewind_to_stored(worker_t *w)
{
    rd_kafka_topic_partition_list_t *parts = NULL;
    if (rd_kafka_assignment(w->consumer, &parts) || !parts)
        return;
    if (parts->cnt > 0 && load_offsets(w, parts) == 0) {
        rd_kafka_error_t *error = rd_kafka_seek_partitions(w->consumer, parts, 10000);
        if (error) {
            log_error("seek_failed", "%s", rd_kafka_error_string(error));
            rd_kafka_error_destroy(error);
        }
    }
    rd_kafka_topic_partition_list_destroy(parts);
}

static void on_dlq_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    worker_t *w = opaque;
    w->dlq_pending--;
    if (m->err || rd_kafka_message_status(m) != RD_KAFKA_MSG_STATUS_PERSISTED) {
        w->dlq_failed++;
        log_warn("dlq_delivery_failed", "%s", rd_kafka_err2str(m->err));
    }
}

/* Polls until the batch holds batch_max_events messages or batch_max_ms
 * passed since its first one; returns early (possibly empty) when idle. */
static void fill_batch(worker_t *w)
{
    long deadline = 0;
    while (service_running && w->batch_count < (size_t)w->cfg.batch_max_events) {
        long wait = 500;
        if (w->batch_count > 0) {
            wait = deadline - datetime_monotonic_ms();
            if (wait <= 0)
                break;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(w->consumer, (int)wait);
        if (!m) {
            if (w->batch_count == 0)
                return;
            continue;
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
        w->batch[w->batch_count++] = m;
    }
}

/* Decodes and validates one message into j. */
static void judge_message(const worker_t *w, const rd_kafka_message_t *m, judged_t *j)
{
    memset(j, 0, sizeof *j);
    if (m->len > (size_t)w->cfg.max_event_bytes) {
        snprintf(j->reason, sizeof j->reason, "message is %zu bytes, over the limit of %d", m->len,
                 w->cfg.max_event_bytes);
        return;
    }
    ProtobufCMessage *msg =
        protobuf_c_message_unpack(w->spec->descriptor, NULL, m->len, m->payload);
    if (!msg) {
        snprintf(j->reason, sizeof j->reason, "cannot be decoded as %s", w->spec->descriptor->name);
        return;
    }
    /* The header is field 1 of every event message. */
    const ProtobufCFieldDescriptor *hf =
        protobuf_c_message_descriptor_get_field(msg->descriptor, 1);
    const Succession__V1__EventHeader *h =
        hf ? *(Succession__V1__EventHeader **)((char *)msg + hf->offset) : NULL;
    if (h && h->event_id)
        j->event_id = strdup(h->event_id);
    if (validate_event(msg, j->reason, sizeof j->reason) == 0) {
        json_t *event = pbjson_encode(msg);
        j->valid = json_pack("{s:i, s:I, s:o}", "partition", (int)m->partition, "offset",
                             (json_int_t)m->offset, "event", event);
        if (!j->valid)
            snprintf(j->reason, sizeof j->reason, "out of memory encoding the event");
    }
    protobuf_c_message_free_unpacked(msg, NULL);
}

/* Produces the original bytes, key and headers of m to the dead-letter
 * topic with headers saying why and where from. Returns 0 or -1. */
static int produce_dead_letter(worker_t *w, const rd_kafka_message_t *m, const char *reason)
{
    rd_kafka_headers_t *in = NULL, *hdrs;
    if (rd_kafka_message_headers(m, &in) == RD_KAFKA_RESP_ERR_NO_ERROR && in)
        hdrs = rd_kafka_headers_copy(in);
    else
        hdrs = rd_kafka_headers_new(6);
    char partition[16], offset[24];
    snprintf(partition, sizeof partition, "%d", (int)m->partition);
    snprintf(offset, sizeof offset, "%lld", (long long)m->offset);
    rd_kafka_header_add(hdrs, "dlq.reason", -1, reason, -1);
    rd_kafka_header_add(hdrs, "dlq.source.topic", -1, w->topic, -1);
    rd_kafka_header_add(hdrs, "dlq.source.partition", -1, partition, -1);
    rd_kafka_header_add(hdrs, "dlq.source.offset", -1, offset, -1);
    rd_kafka_header_add(hdrs, "dlq.worker", -1, w->spec->name, -1);
    rd_kafka_resp_err_t err = rd_kafka_producev(
        w->producer, RD_KAFKA_V_TOPIC(w->dlq_topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(m->payload, m->len), RD_KAFKA_V_KEY(m->key, m->key_len),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_END);
    if (err) {
        rd_kafka_headers_destroy(hdrs); /* not taken over on failure */
        log_warn("dlq_produce_failed", "%s", rd_kafka_err2str(err));
        return -1;
    }
    w->dlq_pending++;
    return 0;
}

/* Sends the batch's dead letters and waits until every one is persisted,
 * retrying while Kafka is unavailable. Returns 0, or -1 when shutting down
 * first (the batch is then left unapplied and comes back on restart). */
static int send_dead_letters(worker_t *w, rd_kafka_message_t **msgs, const judged_t *judged,
                             size_t count)
{
    for (long backoff = 200;; backoff = backoff < 5000 ? backoff * 2 : 5000) {
        w->dlq_pending = w->dlq_failed = 0;
        int failed = 0;
        for (size_t i = 0; i < count; i++)
            if (!judged[i].valid)
                failed |= produce_dead_letter(w, msgs[i], judged[i].reason);
        while (w->dlq_pending > 0)
            rd_kafka_poll(w->producer, 100);
        if (!failed && w->dlq_failed == 0)
            return 0;
        if (!service_running)
            return -1;
        log_warn("dlq_unavailable", "dead letters not persisted; retrying in %ld ms", backoff);
        datetime_sleep_ms(backoff);
    }
}

/* The parts of one batch transaction: a slice of the batch in hand (all of
 * it, unless the database refused it and it is being narrowed down). */
typedef struct batch_tx {
    worker_t *w;
    rd_kafka_message_t **msgs; /* borrowed from the batch */
    size_t count;
    const judged_t *judged;
    const char *events_json; /* valid events */
    int valid_count;
    evaluate_stats_t stats;
} batch_tx_t;

/* Text arrays of the batch's partitions with their first and next offsets. */
static int offset_arrays(const batch_tx_t *tx, char *parts, char *firsts, char *nexts, size_t size)
{
    int partition[256];
    long long first[256], next[256];
    int n = 0;
    for (size_t i = 0; i < tx->count; i++) {
        const rd_kafka_message_t *m = tx->msgs[i];
        int k = 0;
        while (k < n && partition[k] != m->partition)
            k++;
        if (k == n) {
            if (n == 256)
                return -1;
            partition[n] = m->partition;
            first[n] = m->offset;
            next[n++] = m->offset + 1;
        }
        first[k] = m->offset < first[k] ? m->offset : first[k];
        next[k] = m->offset + 1 > next[k] ? m->offset + 1 : next[k];
    }
    size_t a = 0, b = 0, c = 0;
    for (int k = 0; k < n; k++) {
        a += snprintf(parts + a, size - a, "%s%d", k ? "," : "{", partition[k]);
        b += snprintf(firsts + b, size - b, "%s%lld", k ? "," : "{", first[k]);
        c += snprintf(nexts + c, size - c, "%s%lld", k ? "," : "{", next[k]);
    }
    snprintf(parts + a, size - a, "}");
    snprintf(firsts + b, size - b, "}");
    snprintf(nexts + c, size - c, "}");
    return 0;
}

/* Records the batch's dead letters as such in the intake ledger. */
static db_status_t log_dead(batch_tx_t *tx, char *errstr, size_t errstr_size)
{
    char *arr[4] = {0};
    size_t len[4] = {0}, cap[4] = {0};
    db_status_t st = DB_OK;
    for (size_t i = 0; i < tx->count; i++) {
        if (tx->judged[i].valid)
            continue;
        char p[16], o[24];
        snprintf(p, sizeof p, "%d", (int)tx->msgs[i]->partition);
        snprintf(o, sizeof o, "%lld", (long long)tx->msgs[i]->offset);
        const char *values[4] = {p, o, tx->judged[i].event_id, tx->judged[i].reason};
        for (int k = 0; k < 4; k++)
            if (db_array_append(&arr[k], &len[k], &cap[k], values[k]))
                st = DB_ERROR;
    }
    for (int k = 0; k < 4 && arr[0]; k++)
        if (db_array_finish(&arr[k], &len[k], &cap[k]))
            st = DB_ERROR;
    if (st == DB_OK && arr[0]) {
        const char *params[] = {tx->w->topic, arr[0], arr[1], arr[2], arr[3]};
        st = db_exec(
            tx->w->db,
            "INSERT INTO event_log (topic, partition, \"offset\", event_id, outcome, reason) "
            "SELECT $1, u.p, u.o, u.e, 'dead', u.r FROM unnest($2::int[], $3::bigint[], "
            "$4::text[], $5::text[]) AS u(p, o, e, r) ON CONFLICT DO NOTHING",
            5, params, NULL, errstr, errstr_size);
    } else if (st != DB_OK) {
        snprintf(errstr, errstr_size, "out of memory");
    }
    for (int k = 0; k < 4; k++)
        free(arr[k]);
    return st;
}

/* Applies the valid events and evaluates the posts they touched. */
static db_status_t apply_events(batch_tx_t *tx, char *errstr, size_t errstr_size)
{
    PGresult *res;
    const char *params[] = {tx->w->topic, tx->events_json};
    db_status_t st =
        db_exec(tx->w->db, tx->w->spec->apply_sql, 2, params, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    int n = PQntuples(res);
    const char **posts = calloc(n ? (size_t)n : 1, sizeof *posts);
    const char **causes = calloc(n ? (size_t)n : 1, sizeof *causes);
    if (!posts || !causes) {
        snprintf(errstr, errstr_size, "out of memory");
        st = DB_ERROR;
    }
    for (int i = 0; st == DB_OK && i < n; i++) {
        posts[i] = PQgetvalue(res, i, 0);
        causes[i] = PQgetisnull(res, i, 1) ? NULL : PQgetvalue(res, i, 1);
    }
    if (st == DB_OK)
        st = evaluate_posts(tx->w->db, posts, causes, (size_t)n, &tx->stats, errstr, errstr_size);
    free(posts);
    free(causes);
    PQclear(res);
    return st;
}

/* One batch, one transaction: offsets (fenced), dead letters, events. */
static db_status_t batch_transaction(db_t *db, void *arg, char *errstr, size_t errstr_size)
{
    batch_tx_t *tx = arg;
    worker_t *w = tx->w;
    char parts[8192], firsts[8192], nexts[8192];
    memset(&tx->stats, 0, sizeof tx->stats);
    if (offset_arrays(tx, parts, firsts, nexts, sizeof parts)) {
        snprintf(errstr, errstr_size, "a batch spans more than 256 partitions");
        return DB_ERROR;
    }
    PGresult *res;
    const char *params[] = {w->group, w->topic, parts, firsts, nexts};
    db_status_t st =
        db_exec(db, "SELECT store_offsets($1, $2, $3::int[], $4::bigint[], $5::bigint[])", 5,
                params, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    w->fenced = PQgetvalue(res, 0, 0)[0] != 't';
    PQclear(res);
    if (w->fenced) {
        snprintf(errstr, errstr_size, "offsets already moved on by another consumer");
        return DB_ERROR;
    }
    if (tx->valid_count < (int)tx->count)
        st = log_dead(tx, errstr, errstr_size);
    if (st == DB_OK && tx->valid_count > 0)
        st = apply_events(tx, errstr, errstr_size);
    return st;
}

/* Hands the batch's next offsets to librdkafka's auto-commit, so that
 * Kafka's view of the group's lag stays true. Never read back: PostgreSQL
 * holds the offsets that count. Partitions revoked meanwhile are skipped. */
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
    rd_kafka_offsets_store(w->consumer, list); /* ERR__STATE for revoked ones: fine */
    rd_kafka_topic_partition_list_destroy(list);
}

/* Adds an applied batch to the metrics. */
static void count_batch(const batch_tx_t *tx, long elapsed_ms)
{
    atomic_fetch_add(&health_metrics.messages_valid, tx->valid_count);
    atomic_fetch_add(&health_metrics.messages_dead, (long)tx->count - (long)tx->valid_count);
    atomic_fetch_add(&health_metrics.batches, 1);
    atomic_fetch_add(&health_metrics.posts_evaluated, tx->stats.posts);
    atomic_fetch_add(&health_metrics.alerts_queued, tx->stats.alerts);
    atomic_fetch_add(&health_metrics.statuses_queued, tx->stats.statuses);
    atomic_store(&health_metrics.last_batch_ms, elapsed_ms);
}

/* How applying a slice ended. */
typedef enum { SLICE_APPLIED, SLICE_REFUSED, SLICE_ABANDONED } slice_end_t;

/* One transaction for the slice, retried through database outages and
 * conflicts until it commits; SLICE_REFUSED when the database refuses the
 * same data twice (a bug or a rule PostgreSQL enforces that validation does
 * not), SLICE_ABANDONED when fenced or shutting down. */
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
        if (st == DB_OK) {
            count_batch(tx, datetime_monotonic_ms() - started);
            log_info("batch_applied",
                     "%zu events (%d valid, %zu dead), %ld posts evaluated, %ld alerts, %ld "
                     "statuses, %ld ms",
                     tx->count, tx->valid_count, tx->count - (size_t)tx->valid_count,
                     tx->stats.posts, tx->stats.alerts, tx->stats.statuses,
                     datetime_monotonic_ms() - started);
            store_kafka_offsets(w, tx->msgs, tx->count);
            return SLICE_APPLIED;
        }
        atomic_fetch_add(&health_metrics.batch_failures, 1);
        if (w->fenced) {
            log_warn("batch_fenced", "%s; resuming from the stored offsets", err);
            rewind_to_stored(w);
            return SLICE_ABANDONED;
        }
        if (st == DB_ERROR && ++refused == 2) {
            snprintf(w->refusal, sizeof w->refusal, "%.480s", err);
            return SLICE_REFUSED;
        }
        log_error(st == DB_DOWN ? "db_unavailable" : "batch_failed",
                  "batch of %zu not applied (retrying in %ld ms): %s", tx->count, backoff, err);
        if (!service_running)
            return SLICE_ABANDONED; /* nothing committed; it comes back on restart */
        datetime_sleep_ms(backoff);
    }
}

/* Dead-letters and applies msgs[0..count-1], judged. A slice the database
 * refuses is halved until the one event it refuses is found; that event is
 * dead-lettered with the database's reason and the rest applied, so that
 * no input stops a worker. Returns false when the rest of the batch must be
 * abandoned (fenced or shutting down). */
static bool apply_slice(worker_t *w, rd_kafka_message_t **msgs, judged_t *judged, size_t count)
{
    batch_tx_t tx = {.w = w, .msgs = msgs, .count = count, .judged = judged};
    json_t *events = json_array();
    for (size_t i = 0; events && i < count; i++)
        if (judged[i].valid && json_array_append(events, judged[i].valid) == 0)
            tx.valid_count++;
    char *events_json = events ? json_dumps(events, JSON_COMPACT) : NULL;
    json_decref(events);
    tx.events_json = events_json;
    slice_end_t end = SLICE_ABANDONED;
    if (events_json &&
        (tx.valid_count == (int)count || send_dead_letters(w, msgs, judged, count) == 0))
        end = apply_once(&tx);
    free(events_json);
    if (end != SLICE_REFUSED)
        return end == SLICE_APPLIED;
    if (count > 1)
        return apply_slice(w, msgs, judged, count / 2) &&
               apply_slice(w, msgs + count / 2, judged + count / 2, count - count / 2);
    if (!judged->valid) {
        /* Not even its dead letter can be recorded: nothing to narrow down.
         * Wait, and start again from the stored offsets. */
        log_error("event_stuck", "%s [%d] @%lld cannot be recorded: %s", w->topic,
                  (int)msgs[0]->partition, (long long)msgs[0]->offset, w->refusal);
        datetime_sleep_ms(5000);
        rewind_to_stored(w);
        return false;
    }
    snprintf(judged->reason, sizeof judged->reason, "refused by PostgreSQL: %.480s", w->refusal);
    log_error("event_dead", "%s [%d] @%lld: %s", w->topic, (int)msgs[0]->partition,
              (long long)msgs[0]->offset, judged->reason);
    json_decref(judged->valid);
    judged->valid = NULL;
    return apply_slice(w, msgs, judged, 1);
}

/* Judges every message of the batch in hand, then dead-letters and applies
 * them (see apply_slice); the batch is emptied either way. */
static void process_batch(worker_t *w)
{
    judged_t *judged = calloc(w->batch_count, sizeof *judged);
    for (size_t i = 0; judged && i < w->batch_count; i++) {
        judge_message(w, w->batch[i], &judged[i]);
        if (!judged[i].valid)
            log_warn("event_dead", "%s [%d] @%lld: %s", w->topic, (int)w->batch[i]->partition,
                     (long long)w->batch[i]->offset, judged[i].reason);
    }
    if (judged)
        apply_slice(w, w->batch, judged, w->batch_count);
    for (size_t i = 0; judged && i < w->batch_count; i++) {
        free(judged[i].event_id);
        json_decref(judged[i].valid);
    }
    free(judged);
    drop_batch(w, NULL);
}

/* Creates the database handle, the dead-letter producer and the consumer,
 * subscribed. Returns 0, or -1 with the reason in errstr. */
static int worker_open(worker_t *w, char *errstr, size_t errstr_size)
{
    config_topic(&w->cfg, w->spec->topic, w->topic, sizeof w->topic);
    config_topic(&w->cfg, TOPIC_DLQ, w->dlq_topic, sizeof w->dlq_topic);
    if (w->cfg.group_id[0])
        snprintf(w->group, sizeof w->group, "%s", w->cfg.group_id);
    else
        snprintf(w->group, sizeof w->group, "%ssuccession-%s", w->cfg.topic_prefix, w->spec->name);
    w->batch = calloc((size_t)w->cfg.batch_max_events, sizeof *w->batch);
    w->db = db_new(w->cfg.db);
    if (!w->batch || !w->db) {
        snprintf(errstr, errstr_size, "out of memory");
        return -1;
    }
    w->producer = kafka_producer_new(&w->cfg, true, on_dlq_delivery, w, errstr, errstr_size);
    if (!w->producer)
        return -1;
    /* A small prefetch queue bounds memory; offsets are ours, not Kafka's. */
    const char *defaults[] = {"queued.max.messages.kbytes",
                              "16384",
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
    drop_batch(w, NULL);
    if (w->consumer) {
        rd_kafka_consumer_close(w->consumer);
        rd_kafka_destroy(w->consumer);
    }
    if (w->producer) {
        rd_kafka_flush(w->producer, 10000);
        rd_kafka_destroy(w->producer);
    }
    db_free(w->db);
    free(w->batch);
    config_free(&w->cfg);
}

int worker_main(const worker_spec_t *spec, int argc, char **argv)
{
    worker_t w = {.spec = spec};
    char *rest[argc > 0 ? argc : 1];
    int rest_count;
    char usage[256];
    snprintf(usage, sizeof usage,
             "Usage: %s [settings]\nConsumes %s into the succession model.\n\n", spec->name,
             spec->topic);
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
    if (health_start(spec->name, w.cfg.http_address, w.cfg.http_port, err, sizeof err)) {
        fprintf(stderr, "%s: --http-port: %s\n", spec->name, err);
        rc = 2;
        goto done;
    }
    /* Readiness tells the truth from the start, before a partition needs the database. */
    if (db_connect_once(w.db, err, sizeof err))
        log_warn("db_unavailable", "cannot connect to PostgreSQL: %s", err);
    health_set_db_up(db_is_up(w.db));
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
