/* db: PostgreSQL connection, statements, transactions and migrations. */
#include "db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "datetime.h"
#include "health.h"
#include "log.h"
#include "migrations.h"

#define MAX_PREPARED 32

struct db {
    char *conninfo;
    db_timeouts_t timeouts;
    PGconn *conn;
    bool up;
    const char *prepared[MAX_PREPARED]; /* names prepared on this connection (borrowed) */
    size_t prepared_count;
};

db_t *db_new(const char *conninfo, const db_timeouts_t *timeouts)
{
    db_t *db = calloc(1, sizeof *db);
    if (!db)
        return NULL;
    db->conninfo = strdup(conninfo);
    if (!db->conninfo) {
        free(db);
        return NULL;
    }
    if (timeouts)
        db->timeouts = *timeouts;
    return db;
}

/* Opens a connection with the timeouts as defaults that conninfo may
 * override: libpq reads the keyword arrays in order, and the fields of an
 * expanded connection string replace the entries before it. */
static PGconn *connect_with_timeouts(const db_t *db)
{
    const db_timeouts_t *t = &db->timeouts;
    char connect_s[16], tcp_ms[16], idle_s[16], interval_s[16];
    const char *keys[8], *values[8];
    int n = 0;
    if (t->connect_s > 0) {
        snprintf(connect_s, sizeof connect_s, "%d", t->connect_s);
        keys[n] = "connect_timeout", values[n++] = connect_s;
    }
    if (t->tcp_ms > 0) {
        /* Half the time idle before the first probe, then three probes. */
        int idle = t->tcp_ms / 2000 > 0 ? t->tcp_ms / 2000 : 1;
        int interval = t->tcp_ms / 6000 > 0 ? t->tcp_ms / 6000 : 1;
        snprintf(tcp_ms, sizeof tcp_ms, "%d", t->tcp_ms);
        snprintf(idle_s, sizeof idle_s, "%d", idle);
        snprintf(interval_s, sizeof interval_s, "%d", interval);
        keys[n] = "tcp_user_timeout", values[n++] = tcp_ms;
        keys[n] = "keepalives_idle", values[n++] = idle_s;
        keys[n] = "keepalives_interval", values[n++] = interval_s;
        keys[n] = "keepalives_count", values[n++] = "3";
    }
    keys[n] = "dbname", values[n++] = db->conninfo;
    keys[n] = NULL, values[n] = NULL;
    return PQconnectdbParams(keys, values, 1);
}

void db_disconnect(db_t *db)
{
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
    db->up = false;
    db->prepared_count = 0;
}

int db_connect_once(db_t *db, char *errstr, size_t errstr_size)
{
    if (db->conn && PQstatus(db->conn) == CONNECTION_OK)
        return 0;
    db_disconnect(db);
    db->conn = connect_with_timeouts(db);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        snprintf(errstr, errstr_size, "%s", db->conn ? PQerrorMessage(db->conn) : "out of memory");
        errstr[strcspn(errstr, "\n")] = '\0';
        db_disconnect(db);
        return -1;
    }
    /* Quiet NOTICEs (the services log what matters themselves), bound every
     * statement, and leave JIT compilation off: our statements run for milliseconds,
     * and compiling one the planner thinks large takes tens of them. */
    char setup[192];
    snprintf(setup, sizeof setup,
             "SET client_min_messages = warning; SET statement_timeout = %d; "
             "SET jit = off",
             db->timeouts.statement_ms);
    PGresult *res = PQexec(db->conn, setup);
    bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        snprintf(errstr, errstr_size, "%s", PQresultErrorMessage(res));
    PQclear(res);
    if (!ok) {
        errstr[strcspn(errstr, "\n")] = '\0';
        db_disconnect(db);
        return -1;
    }
    db->up = true;
    return 0;
}

int db_connect_wait(db_t *db, volatile sig_atomic_t *running)
{
    long backoff = 100;
    char err[512];
    while (*running) {
        if (db_connect_once(db, err, sizeof err) == 0) {
            if (backoff > 100)
                log_info("db_connected", "PostgreSQL is reachable again");
            return 0;
        }
        log_warn("db_unavailable", "cannot connect to PostgreSQL (retrying in %ld ms): %s", backoff,
                 err);
        for (long slept = 0; slept < backoff && *running; slept += 100) {
            health_heartbeat(); /* waiting on a dependency is not being stuck */
            datetime_sleep_ms(100);
        }
        backoff = backoff * 2 > 5000 ? 5000 : backoff * 2;
    }
    return -1;
}

bool db_is_up(const db_t *db)
{
    return db->up;
}

PGconn *db_conn(db_t *db)
{
    return db->conn;
}

db_status_t db_classify(const char *sqlstate)
{
    if (!sqlstate || strncmp(sqlstate, "08", 2) == 0 || strncmp(sqlstate, "57P0", 4) == 0)
        return DB_DOWN; /* no answer, connection exceptions, the server shutting down */
    if (strcmp(sqlstate, "40001") == 0 || strcmp(sqlstate, "40P01") == 0)
        return DB_RETRY;
    if (strncmp(sqlstate, "22", 2) == 0 || strncmp(sqlstate, "23", 2) == 0 ||
        strcmp(sqlstate, "P0001") == 0)
        return DB_REFUSED; /* data exceptions, integrity violations, our own RAISE */
    return DB_FAULT;
}

/* Writes the failure of res (or of the connection) into errstr. */
static void describe(db_t *db, const PGresult *res, char *errstr, size_t errstr_size)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    snprintf(errstr, errstr_size, "%s%s%s%s", state ? "SQLSTATE " : "", state ? state : "",
             state ? ": " : "", res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
    errstr[strcspn(errstr, "\n")] = '\0';
}

/* Maps a failed result to a status; a broken connection is "down". */
static db_status_t classify(db_t *db, const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    db_status_t st = PQstatus(db->conn) != CONNECTION_OK ? DB_DOWN : db_classify(state);
    if (st == DB_DOWN)
        db->up = false;
    return st;
}

db_status_t db_exec(db_t *db, const char *sql, int nparams, const char *const *params,
                    PGresult **out, char *errstr, size_t errstr_size)
{
    if (out)
        *out = NULL;
    if (!db->conn) {
        snprintf(errstr, errstr_size, "not connected");
        return DB_DOWN;
    }
    PGresult *res = PQexecParams(db->conn, sql, nparams, NULL, params, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(res);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        if (out)
            *out = res;
        else
            PQclear(res);
        return DB_OK;
    }
    describe(db, res, errstr, errstr_size);
    db_status_t status = classify(db, res);
    PQclear(res);
    return status;
}

/* Prepares q on this connection unless it is already. Returns a status. */
static db_status_t ensure_prepared(db_t *db, const db_query_t *q, char *errstr, size_t errstr_size)
{
    for (size_t i = 0; i < db->prepared_count; i++)
        if (strcmp(db->prepared[i], q->name) == 0)
            return DB_OK;
    PGresult *res = PQprepare(db->conn, q->name, q->sql, q->nparams, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        describe(db, res, errstr, errstr_size);
        db_status_t st = classify(db, res);
        PQclear(res);
        return st;
    }
    PQclear(res);
    if (db->prepared_count < MAX_PREPARED)
        db->prepared[db->prepared_count++] = q->name;
    return DB_OK;
}

db_status_t db_exec_pipeline(db_t *db, const db_query_t *queries, size_t count, PGresult **results,
                             char *errstr, size_t errstr_size)
{
    if (!db->conn) {
        snprintf(errstr, errstr_size, "not connected");
        return DB_DOWN;
    }
    for (size_t i = 0; i < count; i++) {
        db_status_t st =
            queries[i].name ? ensure_prepared(db, &queries[i], errstr, errstr_size) : DB_OK;
        if (st != DB_OK)
            return st;
    }
    db_status_t status = DB_OK;
    size_t sent = 0;
    for (size_t i = 0; i < count; i++)
        results[i] = NULL;
    if (!PQenterPipelineMode(db->conn))
        goto broken;
    for (; sent < count; sent++) {
        const db_query_t *q = &queries[sent];
        if (q->name
                ? !PQsendQueryPrepared(db->conn, q->name, q->nparams, q->params, NULL, NULL, 0)
                : !PQsendQueryParams(db->conn, q->sql, q->nparams, NULL, q->params, NULL, NULL, 0))
            break;
    }
    if (sent < count || !PQpipelineSync(db->conn))
        goto broken;
    for (size_t i = 0; i < count; i++) {
        PGresult *res = PQgetResult(db->conn);
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
            results[i] = res;
        } else {
            if (status == DB_OK && st != PGRES_PIPELINE_ABORTED) {
                describe(db, res, errstr, errstr_size);
                status = classify(db, res);
            }
            PQclear(res);
        }
        if (!res || PQgetResult(db->conn) != NULL) /* each statement ends with a NULL */
            goto broken;
    }
    PGresult *sync = PQgetResult(db->conn);
    bool synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced || !PQexitPipelineMode(db->conn))
        goto broken;
    if (status != DB_OK)
        for (size_t i = 0; i < count; i++) {
            PQclear(results[i]);
            results[i] = NULL;
        }
    return status;
broken:
    /* The connection is out of step with its pipeline: drop it. */
    describe(db, NULL, errstr, errstr_size);
    for (size_t i = 0; i < count; i++) {
        PQclear(results[i]);
        results[i] = NULL;
    }
    db_disconnect(db);
    return DB_DOWN;
}

db_status_t db_begin(db_t *db, char *errstr, size_t errstr_size)
{
    return db_exec(db, "BEGIN", 0, NULL, NULL, errstr, errstr_size);
}

db_status_t db_commit(db_t *db, char *errstr, size_t errstr_size)
{
    return db_exec(db, "COMMIT", 0, NULL, NULL, errstr, errstr_size);
}

void db_rollback(db_t *db)
{
    char ignored[256];
    if (db->conn && PQtransactionStatus(db->conn) != PQTRANS_IDLE) {
        /* A failed ROLLBACK leaves a broken connection, found by the next statement. */
        db_status_t st = db_exec(db, "ROLLBACK", 0, NULL, NULL, ignored, sizeof ignored);
        (void)st;
    }
}

db_status_t db_transaction(db_t *db, db_tx_fn fn, void *arg, char *errstr, size_t errstr_size)
{
    db_status_t st = DB_RETRY;
    for (int attempt = 0; attempt < 20 && st == DB_RETRY; attempt++) {
        if (attempt > 0) {
            log_info("tx_retry", "retrying transaction (attempt %d): %s", attempt + 1, errstr);
            datetime_sleep_ms(10L * attempt);
        }
        st = db_begin(db, errstr, errstr_size);
        if (st == DB_OK)
            st = fn(db, arg, errstr, errstr_size);
        if (st == DB_OK)
            st = db_commit(db, errstr, errstr_size);
        if (st != DB_OK)
            db_rollback(db);
    }
    return st;
}

void db_free(db_t *db)
{
    if (!db)
        return;
    db_disconnect(db);
    free(db->conninfo);
    free(db);
}

static int grow(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 256;
    while (n < need)
        n *= 2;
    char *p = realloc(*buf, n);
    if (!p)
        return -1;
    *buf = p;
    *cap = n;
    return 0;
}

int db_array_append(char **buf, size_t *len, size_t *cap, const char *element)
{
    size_t need = *len + 4 + (element ? 2 * strlen(element) : 4);
    if (grow(buf, cap, need + 2))
        return -1;
    (*buf)[*len] = *len == 0 ? '{' : ',';
    (*len)++;
    if (!element) {
        memcpy(*buf + *len, "NULL", 4);
        *len += 4;
        return 0;
    }
    (*buf)[(*len)++] = '"';
    for (const char *p = element; *p; p++) {
        if (*p == '"' || *p == '\\')
            (*buf)[(*len)++] = '\\';
        (*buf)[(*len)++] = *p;
    }
    (*buf)[(*len)++] = '"';
    return 0;
}

int db_array_append_long(char **buf, size_t *len, size_t *cap, long long v)
{
    char text[24];
    snprintf(text, sizeof text, "%lld", v);
    return db_array_append(buf, len, cap, text);
}

int db_array_finish(char **buf, size_t *len, size_t *cap)
{
    if (grow(buf, cap, *len + 3))
        return -1;
    if (*len == 0)
        (*buf)[(*len)++] = '{';
    (*buf)[(*len)++] = '}';
    (*buf)[*len] = '\0';
    return 0;
}

char *db_hex(const uint8_t *bytes, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = malloc(2 * len + 1);
    for (size_t i = 0; hex && i < len; i++) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 15];
    }
    if (hex)
        hex[2 * len] = '\0';
    return hex;
}

bool db_bytea_is_hex(const char *text, const char *hex)
{
    size_t len;
    uint8_t *bytes = db_bytea_decode(text, &len);
    char *bytes_hex = bytes ? db_hex(bytes, len) : NULL;
    bool same = bytes_hex && strcmp(bytes_hex, hex) == 0;
    free(bytes);
    free(bytes_hex);
    return same;
}

char *db_pack_hex(const ProtobufCMessage *msg)
{
    size_t n = protobuf_c_message_get_packed_size(msg);
    uint8_t *bytes = malloc(n ? n : 1);
    char *hex = NULL;
    if (bytes) {
        protobuf_c_message_pack(msg, bytes);
        hex = db_hex(bytes, n);
    }
    free(bytes);
    return hex;
}

uint8_t *db_bytea_decode(const char *text, size_t *len)
{
    size_t n;
    unsigned char *raw = PQunescapeBytea((const unsigned char *)text, &n);
    uint8_t *out = raw ? malloc(n ? n : 1) : NULL;
    if (out) {
        memcpy(out, raw, n);
        *len = n;
    }
    PQfreemem(raw);
    return out;
}

int db_migrate(db_t *db, char *errstr, size_t errstr_size)
{
    char err[1024];
    if (db_exec(db,
                "CREATE TABLE IF NOT EXISTS schema_migration (name text PRIMARY KEY, "
                "applied_at timestamptz NOT NULL DEFAULT now())",
                0, NULL, NULL, err, sizeof err) != DB_OK) {
        snprintf(errstr, errstr_size, "schema_migration: %s", err);
        return -1;
    }
    int applied = 0;
    for (size_t i = 0; i < migration_count; i++) {
        const char *name = migrations[i].name;
        PGresult *res = NULL;
        db_status_t st = db_begin(db, err, sizeof err);
        /* Serialises concurrent migrate runs. */
        if (st == DB_OK)
            st = db_exec(db, "SET LOCAL statement_timeout = 0", 0, NULL, NULL, err, sizeof err);
        if (st == DB_OK)
            st = db_exec(db, "LOCK TABLE schema_migration IN EXCLUSIVE MODE", 0, NULL, NULL, err,
                         sizeof err);
        if (st == DB_OK)
            st = db_exec(db, "SELECT 1 FROM schema_migration WHERE name = $1", 1, &name, &res, err,
                         sizeof err);
        bool done = st == DB_OK && PQntuples(res) > 0;
        PQclear(res);
        if (st == DB_OK && !done) {
            PGresult *r = PQexec(db_conn(db), migrations[i].sql);
            if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
                snprintf(err, sizeof err, "%s", PQresultErrorMessage(r));
                err[strcspn(err, "\n")] = '\0';
                st = DB_FAULT;
            }
            PQclear(r);
            if (st == DB_OK)
                st = db_exec(db, "INSERT INTO schema_migration (name) VALUES ($1)", 1, &name, NULL,
                             err, sizeof err);
            applied += st == DB_OK;
        }
        if (st == DB_OK)
            st = db_commit(db, err, sizeof err);
        if (st != DB_OK) {
            db_rollback(db);
            snprintf(errstr, errstr_size, "migration %s: %s", name, err);
            return -1;
        }
    }
    return applied;
}

const char *db_newest_migration(void)
{
    return migrations[migration_count - 1].name;
}

int db_schema_check(db_t *db, char *errstr, size_t errstr_size)
{
    const char *newest = db_newest_migration();
    char err[512];
    PGresult *res;
    db_status_t st =
        db_exec(db, "SELECT coalesce(max(name), 'none'), bool_or(name = $1) FROM schema_migration",
                1, &newest, &res, err, sizeof err);
    if (st == DB_OK) {
        bool applied = PQgetvalue(res, 0, 1)[0] == 't';
        if (!applied)
            snprintf(errstr, errstr_size,
                     "the database schema is older than this binary: its newest migration is "
                     "%.200s, this binary needs %s; run successionctl migrate",
                     PQgetvalue(res, 0, 0), newest);
        PQclear(res);
        return applied ? 0 : 1;
    }
    /* Missing (never migrated), or not readable by this role (42501). */
    if (strncmp(err, "SQLSTATE 42P01", 14) && strncmp(err, "SQLSTATE 42501", 14)) {
        snprintf(errstr, errstr_size, "cannot compare the schema with %s: %s", newest, err);
        return -1;
    }
    snprintf(errstr, errstr_size,
             "cannot read the schema's migrations (%s): the schema is older than %s, which this "
             "binary needs, or this login role is not in its group role; run successionctl migrate",
             err, newest);
    return 1;
}
