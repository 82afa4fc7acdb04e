/* db: the PostgreSQL connection every service keeps, with reconnection and
 * capped exponential back-off, one error convention for statements, and
 * transactions that are retried on serialization failure or deadlock.
 *
 * Ownership: a db_t owns its PGconn. Every PGresult handed out is owned by
 * the caller and freed with PQclear in the scope that received it. */
#ifndef SUCCESSION_DB_H
#define SUCCESSION_DB_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <libpq-fe.h>
#include <protobuf-c/protobuf-c.h>

typedef struct db db_t;

/* Statement outcomes. Only DB_REFUSED blames the data: every other failure
 * is the system's, and the same work is tried again later. */
typedef enum {
    DB_OK = 0,
    DB_REFUSED = -1, /* the data is refused (SQLSTATE class 22 or 23, or a RAISE of
                        our own functions, P0001): do not retry the same data */
    DB_RETRY = -2,   /* serialization failure or deadlock: run the transaction again */
    DB_DOWN = -3,    /* the connection is gone: reconnect, then run it again */
    DB_FAULT = -4,   /* anything else (permissions, an object missing during a rollout,
                        a timeout, resources, out of memory): retry with back-off */
} db_status_t;

/* What db_exec makes of a failed statement's SQLSTATE (NULL: no answer). */
db_status_t db_classify(const char *sqlstate);

/* Time limits on every connection, so that no call waits for ever. */
typedef struct db_timeouts {
    int connect_s;    /* connect_timeout; 0: none */
    int statement_ms; /* statement_timeout, set on each new session; 0: none */
    int tcp_ms;       /* tcp_user_timeout, and keepalives that give up on a silent
                         server after about as long; 0: the system's defaults */
} db_timeouts_t;

/* A connection to conninfo (copied), not yet opened. The timeouts go before
 * conninfo, so that a connection string that sets connect_timeout,
 * tcp_user_timeout or keepalives* itself wins. NULL when out of memory. */
db_t *db_new(const char *conninfo, const db_timeouts_t *timeouts);

/* Opens the connection if it is not open, trying until it succeeds or
 * *running becomes 0, sleeping 100 ms, doubling up to 5 s between tries and
 * logging each failure once per back-off step. Returns 0 when connected, -1
 * when stopped. */
int db_connect_wait(db_t *db, volatile sig_atomic_t *running) __attribute__((warn_unused_result));

/* Opens the connection once. Returns 0, or -1 with libpq's message. */
int db_connect_once(db_t *db, char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

/* True while the last statement did not find the connection gone. */
bool db_is_up(const db_t *db);

/* The open connection (borrowed), or NULL. */
PGconn *db_conn(db_t *db);

/* Runs sql with text parameters. On DB_OK and when out is not NULL, *out is
 * the result (caller frees); otherwise nothing is handed out and errstr holds
 * "SQLSTATE XXXXX: " and the server's message. */
db_status_t db_exec(db_t *db, const char *sql, int nparams, const char *const *params,
                    PGresult **out, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* One statement of a pipeline. */
typedef struct db_query {
    const char *sql;
    int nparams;
    const char *const *params; /* text parameters */
    const char *name;          /* when not NULL, prepared once per connection under this
                                  name (a string that lives as long as the db_t), so that
                                  it is planned once, not at every call */
} db_query_t;

/* Runs count statements in one round trip (libpq's pipeline mode), in
 * order, preparing named ones first when this connection has not yet. On
 * DB_OK results[i] is each statement's result (the caller frees each);
 * otherwise none is handed out and errstr holds the first failure. */
db_status_t db_exec_pipeline(db_t *db, const db_query_t *queries, size_t count, PGresult **results,
                             char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

/* BEGIN / COMMIT / ROLLBACK. ROLLBACK never fails the caller. */
db_status_t db_begin(db_t *db, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));
db_status_t db_commit(db_t *db, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));
void db_rollback(db_t *db);

/* Runs fn(db, arg, errstr) inside BEGIN .. COMMIT, again (up to 20 times)
 * while it or the commit says DB_RETRY. fn returns a db_status_t (DB_FAULT
 * when it runs out of memory); anything but DB_OK rolls back. Returns the
 * last status. */
typedef db_status_t (*db_tx_fn)(db_t *db, void *arg, char *errstr, size_t errstr_size);
db_status_t db_transaction(db_t *db, db_tx_fn fn, void *arg, char *errstr, size_t errstr_size)
    __attribute__((warn_unused_result));

/* Closes the connection (the next db_connect_* reopens it). */
void db_disconnect(db_t *db);

void db_free(db_t *db);

/* Appends a PostgreSQL array literal element (quoted, escaped; NULL as the
 * NULL element) to the growing text *buf of *len bytes. Returns 0 or -1 when
 * out of memory. Start with *buf NULL; the caller frees. */
int db_array_append(char **buf, size_t *len, size_t *cap, const char *element)
    __attribute__((warn_unused_result));
/* db_array_append of v written in decimal. */
int db_array_append_long(char **buf, size_t *len, size_t *cap, long long v)
    __attribute__((warn_unused_result));

/* Closes the array literal started by the first db_array_append ("{}" when
 * nothing was appended). */
int db_array_finish(char **buf, size_t *len, size_t *cap) __attribute__((warn_unused_result));

/* The lowercase hex text of len bytes, for decode(x, 'hex') in SQL: a new
 * string (the caller frees), NULL when out of memory. */
char *db_hex(const uint8_t *bytes, size_t len);

/* Whether the bytea value text (in whichever form the server sent it) holds
 * the bytes that hex spells (as db_hex writes them). False when out of
 * memory. */
bool db_bytea_is_hex(const char *text, const char *hex);

/* db_hex of msg packed; NULL when out of memory. */
char *db_pack_hex(const ProtobufCMessage *msg);

/* Decodes a bytea value as the server sent it in text form, hex ("\\x0a03")
 * or escape ("a\\000b") whatever its bytea_output, into a new buffer of *len
 * bytes (the caller frees); NULL when out of memory. */
uint8_t *db_bytea_decode(const char *text, size_t *len);

/* Applies every numbered migration not yet applied, each in its own
 * transaction without a statement timeout, recorded in schema_migration. Returns the number
 * applied, or -1 with the failing file and the server's message in errstr. */
int db_migrate(db_t *db, char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

/* The file name of the newest migration this binary embeds. */
const char *db_newest_migration(void);

/* Compares the schema of the connected database with the migrations this
 * binary embeds. Returns 0 when the newest of them is applied (a newer
 * schema is fine: migrations only add); 1 when it is not, or when
 * schema_migration cannot be read (missing, or refused to this role: the
 * schema predates the grant, or the role is not in its group role), with a
 * one-line explanation naming both migrations in errstr; or -1 with the
 * reason in errstr when the database could not answer (down, a timeout). */
int db_schema_check(db_t *db, char *errstr, size_t errstr_size) __attribute__((warn_unused_result));

#endif
