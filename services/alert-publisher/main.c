/* alert-publisher: the evaluator and the relay. The moment a worker's batch
 * commits (LISTEN/NOTIFY) it evaluates the posts the batch marked dirty, and
 * relays the outbox to succession.alerts.v1 and succession.post-status.v1;
 * under load one evaluation covers many batches. It also re-evaluates every
 * designated post on a timer, because time alone changes the answer. After
 * either changed a picture it publishes the programme's view
 * (succession.programme-summary.v1), at most every SUMMARY_PAUSE_MS. One
 * instance relays at a time (a session advisory lock); others wait as
 * standbys. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>

#include "datetime.h"
#include "db.h"
#include "evaluate.h"
#include "health.h"
#include "kafka.h"
#include "log.h"
#include "outbox.h"
#include "service.h"
#include "summary.h"

#define RELAY_BATCH 500
/* The least time between two publications of the programme's view: a
 * replay of a million events then sends a few dozen summaries per group,
 * and a quiet system answers a change within this. */
#define SUMMARY_PAUSE_MS 2000

typedef struct publisher {
    config_t cfg;
    db_t *db;
    rd_kafka_t *producer;
    time_t next_reevaluation;
    bool summary_due;     /* a picture changed since the view was last published */
    long next_summary_ms; /* monotonic: not before this */
} publisher_t;

static db_status_t reevaluate_tx(db_t *db, void *arg, char *errstr, size_t errstr_size)
{
    return evaluate_all(db, arg, errstr, errstr_size);
}

static db_status_t summary_tx(db_t *db, void *arg, char *errstr, size_t errstr_size)
{
    return summary_publish(db, arg, errstr, errstr_size);
}

/* Connects, listens and takes the relay lock, waiting as long as needed.
 * Returns 0, or -1 when shutting down. */
static int publisher_connect(publisher_t *p)
{
    char err[512];
    while (service_running) {
        if (db_connect_wait(p->db, &service_running))
            return -1;
        PGresult *res;
        if (db_exec(p->db, "LISTEN succession_outbox", 0, NULL, NULL, err, sizeof err) == DB_OK &&
            db_exec(p->db, "LISTEN succession_dirty", 0, NULL, NULL, err, sizeof err) == DB_OK &&
            db_exec(p->db, "SELECT pg_try_advisory_lock(2, 0)", 0, NULL, &res, err, sizeof err) ==
                DB_OK) {
            int have = PQgetvalue(res, 0, 0)[0] == 't';
            PQclear(res);
            if (have) {
                health_set_db_up(true);
                log_info("publisher_active", "relaying the outbox");
                return 0;
            }
            log_info("publisher_standby", "another publisher relays; waiting");
        } else {
            log_warn("publisher_connect_failed", "%s", err);
        }
        health_set_db_up(db_is_up(p->db)); /* a standby is ready to take over */
        db_disconnect(p->db);
        for (int i = 0; i < 50 && service_running; i++) {
            health_heartbeat(); /* a standby is waiting, not stuck */
            datetime_sleep_ms(100);
        }
    }
    return -1;
}

/* Seconds between timed re-evaluations: the flag, else the database setting. */
static int reevaluate_interval(publisher_t *p)
{
    if (p->cfg.reevaluate_interval > 0)
        return p->cfg.reevaluate_interval;
    PGresult *res;
    char err[256];
    int seconds = 300;
    if (db_exec(p->db, "SELECT value FROM setting WHERE name = 'reevaluate_interval'", 0, NULL,
                &res, err, sizeof err) == DB_OK) {
        if (PQntuples(res) == 1 && atoi(PQgetvalue(res, 0, 0)) > 0)
            seconds = atoi(PQgetvalue(res, 0, 0));
        PQclear(res);
    }
    return seconds;
}

/* Counts the outbox's rows (up to 100,000, so that a backlog costs no more)
 * and the age of the oldest, for the metrics. */
static db_status_t measure_outbox(publisher_t *p, char *err, size_t err_size)
{
    PGresult *res;
    db_status_t st = db_exec(
        p->db,
        "SELECT (SELECT count(*) FROM (SELECT 1 FROM outbox LIMIT 100000) b), "
        "coalesce((SELECT (extract(epoch FROM clock_timestamp() - created_at) * 1000)::bigint "
        "FROM outbox ORDER BY id LIMIT 1), 0)",
        0, NULL, &res, err, err_size);
    if (st != DB_OK)
        return st;
    atomic_store(&health_metrics.outbox_depth, atol(PQgetvalue(res, 0, 0)));
    atomic_store(&health_metrics.outbox_oldest_ms, atol(PQgetvalue(res, 0, 1)));
    PQclear(res);
    return DB_OK;
}

/* Adds an evaluation to the metrics; a changed picture makes the view due. */
static void count_evaluation(publisher_t *p, const evaluate_stats_t *stats)
{
    p->summary_due = p->summary_due || stats->statuses > 0;
    atomic_fetch_add(&health_metrics.posts_evaluated, stats->posts);
    atomic_fetch_add(&health_metrics.alerts_queued, stats->alerts);
    atomic_fetch_add(&health_metrics.statuses_queued, stats->statuses);
    atomic_fetch_add(&health_metrics.lock_wait_ms, stats->lock_wait_ms);
}

/* Re-evaluates every designated post when the time has come. */
static db_status_t reevaluate_when_due(publisher_t *p, char *err, size_t err_size)
{
    if (time(NULL) < p->next_reevaluation)
        return DB_OK;
    evaluate_stats_t stats = {0};
    db_status_t st = db_transaction(p->db, reevaluate_tx, &stats, err, err_size);
    if (st != DB_OK) {
        log_error("reevaluation_failed", "%s", err);
        return st;
    }
    count_evaluation(p, &stats);
    p->summary_due = true; /* a new day's trend point, if nothing else */
    if (stats.alerts || stats.statuses)
        log_info("reevaluated", "%ld posts, %ld alerts, %ld statuses", stats.posts, stats.alerts,
                 stats.statuses);
    p->next_reevaluation = time(NULL) + reevaluate_interval(p);
    return DB_OK;
}

/* Evaluates what the workers' batches marked dirty, one pass a round so
 * that what it queues is relayed at once. Passes run back to back while
 * there are marks: under load each covers what the batches committed while
 * the last one ran, so its cost follows the posts touched, and a light load
 * is answered at once. (Pacing passes to leave the workers more of the
 * CPU was measured: it doubled the p99 latency under load and gained no
 * throughput.) */
static db_status_t evaluate_marked(publisher_t *p, char *err, size_t err_size)
{
    evaluate_stats_t stats = {0};
    long started = datetime_monotonic_ms();
    db_status_t st = evaluate_dirty(p->db, &stats, err, err_size);
    long took = datetime_monotonic_ms() - started;
    count_evaluation(p, &stats);
    if (stats.posts > 0)
        log_info("posts_evaluated", "%ld posts, %ld alerts, %ld statuses, %ld ms", stats.posts,
                 stats.alerts, stats.statuses, took);
    if (st != DB_OK)
        log_error("evaluation_failed", "%s", err);
    return st;
}

/* Publishes the programme's view when a picture changed and the pause since
 * the last publication is over. */
static db_status_t summarise_when_due(publisher_t *p, char *err, size_t err_size)
{
    if (!p->summary_due || datetime_monotonic_ms() < p->next_summary_ms)
        return DB_OK;
    long queued = 0, started = datetime_monotonic_ms();
    db_status_t st = db_transaction(p->db, summary_tx, &queued, err, err_size);
    if (st != DB_OK) {
        log_error("summary_failed", "%s", err);
        return st;
    }
    atomic_fetch_add(&health_metrics.summaries_queued, queued);
    log_info("programme_summarised", "%ld groups changed, %ld ms", queued,
             datetime_monotonic_ms() - started);
    p->summary_due = false;
    p->next_summary_ms = datetime_monotonic_ms() + SUMMARY_PAUSE_MS;
    return DB_OK;
}

/* Relays until the outbox is empty (or what is left waits for Kafka). */
static db_status_t relay(publisher_t *p, char *err, size_t err_size)
{
    outbox_round_t round;
    db_status_t st;
    do {
        st = outbox_relay(p->db, p->producer, &p->cfg, RELAY_BATCH, &round, err, err_size);
        health_heartbeat();
        if (st != DB_OK)
            break;
        atomic_fetch_add(&health_metrics.outbox_relayed, round.relayed);
        atomic_fetch_add(&health_metrics.outbox_failed, round.failed);
        if (round.relayed > 0)
            log_info("outbox_relayed", "%ld messages", round.relayed);
    } while (round.read == RELAY_BATCH && round.relayed + round.failed > 0 && service_running);
    if (st == DB_OK)
        st = measure_outbox(p, err, err_size);
    if (st != DB_OK)
        log_error("outbox_relay_failed", "%s", err);
    return st;
}

/* One round: the timed re-evaluation when due, the dirty posts, the relay.
 * Returns the worst status seen: DB_DOWN stops the round, a fault does not
 * keep the other steps from running. */
static db_status_t publisher_round(publisher_t *p)
{
    char err[1024] = "";
    db_status_t worst = DB_OK;
    db_status_t (*steps[])(publisher_t *, char *, size_t) = {reevaluate_when_due, evaluate_marked,
                                                             summarise_when_due, relay};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && worst != DB_DOWN; i++) {
        db_status_t st = steps[i](p, err, sizeof err);
        if (st != DB_OK && worst != DB_DOWN)
            worst = st;
    }
    health_set_db_fault(worst == DB_FAULT || worst == DB_REFUSED ? err : NULL);
    /* Kafka is known to be back at the next delivery, or when it answers. */
    rd_kafka_poll(p->producer, 0);
    if (!atomic_load(&health_metrics.kafka_up) && kafka_reachable(p->producer, 1000) == 0)
        health_set_kafka_up(true);
    return worst;
}

/* Drops the notifications libpq has received; true when there were any. */
static bool take_notifications(PGconn *conn)
{
    bool any = false;
    PGnotify *n;
    while ((n = PQnotifies(conn)) != NULL) {
        PQfreemem(n);
        any = true;
    }
    return any;
}

/* Sleeps until a notification arrives or a second passes (a sweep that
 * also catches what a lost connection missed, and the re-evaluation when
 * due). Notifications that came in during the round's own statements count:
 * libpq keeps them; marks committed during a pass notify once it ends. */
static void wait_for_work(publisher_t *p)
{
    PGconn *conn = db_conn(p->db);
    int fd = conn ? PQsocket(conn) : -1;
    if (fd < 0 || take_notifications(conn))
        return;
    fd_set fds;
    FD_ZERO(&fds);
    FD_SET(fd, &fds);
    struct timeval tv = {1, 0};
    if (select(fd + 1, &fds, NULL, NULL, &tv) > 0 && PQconsumeInput(conn))
        take_notifications(conn);
}

int main(int argc, char **argv)
{
    publisher_t p = {.summary_due = true};
    char *rest[argc];
    int rest_count, rc = 0;
    service_status_t s = service_init(
        "alert-publisher",
        "Usage: alert-publisher [settings]\nRelays alerts and post status; re-evaluates on a "
        "timer.\n\n",
        argc, argv, &p.cfg, rest, &rest_count);
    if (s != SERVICE_OK || rest_count > 0) {
        if (rest_count > 0)
            fprintf(stderr, "alert-publisher: unknown argument '%s' (see --help)\n", rest[0]);
        config_free(&p.cfg);
        return s == SERVICE_HELP ? 0 : 2;
    }
    service_install_signals();
    char err[512];
    p.db = service_db_new(&p.cfg);
    p.producer = kafka_producer_new(&p.cfg, true, outbox_delivery_cb, NULL, err, sizeof err);
    if (!p.db || !p.producer) {
        fprintf(stderr, "alert-publisher: %s\n", p.producer ? "out of memory" : err);
        rc = 2;
        goto done;
    }
    /* Kafka trouble shows as a growing outbox (rows stay until Kafka confirms
     * them) and as unreadiness while every broker is down. */
    if (service_health_start("alert-publisher", &p.cfg, err, sizeof err)) {
        fprintf(stderr, "alert-publisher: --http-port: %s\n", err);
        rc = 2;
        goto done;
    }
    s = service_check_schema("alert-publisher", p.db);
    if (s != SERVICE_OK) {
        rc = s == SERVICE_USAGE ? 2 : 0;
        goto done;
    }
    db_disconnect(p.db); /* publisher_connect listens and takes the relay lock */
    while (service_running) {
        if (!db_is_up(p.db) && publisher_connect(&p))
            break;
        db_status_t st = publisher_round(&p);
        health_set_db_up(db_is_up(p.db));
        if (st == DB_DOWN)
            continue;
        wait_for_work(&p);
    }
    log_info("publisher_stopping", "flushing");
done:
    health_stop();
    if (p.producer) {
        rd_kafka_flush(p.producer, 10000);
        rd_kafka_destroy(p.producer);
    }
    db_free(p.db);
    config_free(&p.cfg);
    return rc;
}
