/* successionctl parked: the events still waiting for their post to be
 * registered (event_log outcome 'parked' whose post is not in post), by
 * post, for the person who registers posts. Once a post is registered its
 * parked events count as applied and leave this list. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "ctl.h"
#include "pbjson.h"

/* Columns: topic, partition, offset, event id, post id, logged at. */
static const char parked_sql[] =
    "SELECT l.topic, l.partition, l.\"offset\", l.event_id, l.post_id, "
    "to_char(l.logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') "
    "FROM event_log l WHERE l.outcome = 'parked' "
    "AND NOT EXISTS (SELECT 1 FROM post p WHERE p.post_id = l.post_id) "
    "ORDER BY l.post_id, l.topic, l.partition, l.\"offset\"";

/* A text column, or NULL when the value is SQL NULL. */
static const char *column(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static json_t *json_text_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* One row as a JSON Lines object. Returns 0, or -1 when out of memory. */
static int print_json_row(const PGresult *res, int row)
{
    json_t *o = json_object();
    if (!o)
        return -1;
    json_object_set_new(o, "topic", json_text_or_null(column(res, row, 0)));
    json_object_set_new(o, "partition", json_integer(atoi(PQgetvalue(res, row, 1))));
    json_object_set_new(o, "offset", json_integer(strtoll(PQgetvalue(res, row, 2), NULL, 10)));
    json_object_set_new(o, "eventId", json_text_or_null(column(res, row, 3)));
    json_object_set_new(o, "postId", json_text_or_null(column(res, row, 4)));
    json_object_set_new(o, "loggedAt", json_text_or_null(column(res, row, 5)));
    char *text = json_dumps(o, PBJSON_DUMP_FLAGS);
    json_decref(o);
    if (!text)
        return -1;
    puts(text);
    free(text);
    return 0;
}

static void print_text_row(const PGresult *res, int row)
{
    char post[80], topic[256], event[80];
    printf(
        "%-16s %-40s %9s %10s  %-24s %s\n",
        ctl_shown(PQgetvalue(res, row, 4), (size_t)PQgetlength(res, row, 4), post, sizeof post),
        ctl_shown(PQgetvalue(res, row, 0), (size_t)PQgetlength(res, row, 0), topic, sizeof topic),
        PQgetvalue(res, row, 1), PQgetvalue(res, row, 2),
        ctl_shown(PQgetvalue(res, row, 3), (size_t)PQgetlength(res, row, 3), event, sizeof event),
        PQgetvalue(res, row, 5));
}

int cmd_parked(ctl_t *ctl, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--json") != 0) {
            ctl_error("parked", "usage: parked [--json]");
            return 2;
        }
        json = true;
    }
    db_t *db = ctl_db(ctl, "parked");
    if (!db)
        return 1;
    PGresult *res;
    char err[512];
    if (db_exec(db, parked_sql, 0, NULL, &res, err, sizeof err) != DB_OK) {
        ctl_error("parked", "%s", err);
        return 1;
    }
    int rc = 0, rows = PQntuples(res);
    if (!json)
        printf("%-16s %-40s %9s %10s  %-24s %s\n", "POST", "TOPIC", "PARTITION", "OFFSET", "EVENT",
               "LOGGED AT");
    for (int i = 0; i < rows; i++) {
        if (!json)
            print_text_row(res, i);
        else if (print_json_row(res, i))
            rc = 1;
    }
    if (rc)
        ctl_error("parked", "out of memory writing JSON");
    if (!json)
        printf("%d parked events waiting for their post to be registered\n", rows);
    PQclear(res);
    return rc;
}
