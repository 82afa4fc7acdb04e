/* successionctl settings: shows the thresholds and horizons of the setting
 * table, or changes some of them in one transaction that also re-evaluates
 * every designated post under the new values. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "evaluate.h"

#define COMMAND   "settings"
#define MAX_VALUE 2147483647L /* the column is a PostgreSQL integer */

static const char usage[] = "usage: settings [NAME=VALUE ...]";

/* One NAME=VALUE argument. */
typedef struct change {
    char name[64];
    char value[24]; /* the canonical decimal text */
    long old_value; /* read in the transaction */
} change_t;

/* The work of the transaction; re-run from the start on a retry. */
typedef struct settings_job {
    change_t *changes;
    size_t count;
    char *names, *values; /* array literals, owned */
    bool cap_changed;     /* designation_cap is among the changes */
    evaluate_stats_t stats;
} settings_job_t;

/* Prints the setting table as aligned columns. Returns the exit status. */
static int show(db_t *db)
{
    PGresult *res;
    char err[512];
    if (db_exec(db, "SELECT name, value, description FROM setting ORDER BY name", 0, NULL, &res,
                err, sizeof err) != DB_OK) {
        ctl_error(COMMAND, "reading settings: %s", err);
        return 1;
    }
    int name_width = (int)strlen("name"), value_width = (int)strlen("value");
    for (int i = 0; i < PQntuples(res); i++) {
        int n = PQgetlength(res, i, 0), v = PQgetlength(res, i, 1);
        name_width = n > name_width ? n : name_width;
        value_width = v > value_width ? v : value_width;
    }
    printf("%-*s  %*s  %s\n", name_width, "name", value_width, "value", "description");
    for (int i = 0; i < PQntuples(res); i++)
        printf("%-*s  %*s  %s\n", name_width, PQgetvalue(res, i, 0), value_width,
               PQgetvalue(res, i, 1), PQgetvalue(res, i, 2));
    PQclear(res);
    return 0;
}

/* Parses a non-negative decimal integer no larger than MAX_VALUE into *out. */
static int parse_value(const char *text, long *out)
{
    size_t digits = strspn(text, "0123456789");
    if (digits == 0 || text[digits] != '\0' || digits > 10)
        return -1;
    *out = strtol(text, NULL, 10);
    return *out <= MAX_VALUE ? 0 : -1;
}

/* Reads the NAME=VALUE arguments argv[1..argc-1] into changes. Returns 0, or
 * 2 after printing what is wrong. */
static int parse_changes(int argc, char **argv, change_t *changes)
{
    for (int i = 1; i < argc; i++) {
        change_t *c = &changes[i - 1];
        const char *eq = strchr(argv[i], '=');
        size_t name_len = eq ? (size_t)(eq - argv[i]) : 0;
        long value;
        if (name_len == 0 || name_len >= sizeof c->name) {
            ctl_error(COMMAND, "'%s' is not NAME=VALUE", argv[i]);
            ctl_error(COMMAND, "%s", usage);
            return 2;
        }
        memcpy(c->name, argv[i], name_len);
        c->name[name_len] = '\0';
        if (parse_value(eq + 1, &value)) {
            ctl_error(COMMAND, "%s: '%s' is not a whole number from 0 to %ld", c->name, eq + 1,
                      MAX_VALUE);
            return 2;
        }
        snprintf(c->value, sizeof c->value, "%ld", value);
        for (int k = 0; k < i - 1; k++) {
            if (strcmp(changes[k].name, c->name) == 0) {
                ctl_error(COMMAND, "%s: given twice", c->name);
                return 2;
            }
        }
    }
    return 0;
}

/* Checks that every change names a row of the setting table. Returns 0, 1
 * when the database cannot tell, or 2 after listing the valid names. */
static int check_names(db_t *db, const change_t *changes, size_t count)
{
    PGresult *res;
    char err[512], valid[1024] = "";
    int rc = 0;
    if (db_exec(db, "SELECT name FROM setting ORDER BY name", 0, NULL, &res, err, sizeof err) !=
        DB_OK) {
        ctl_error(COMMAND, "reading settings: %s", err);
        return 1;
    }
    for (int i = 0, len = 0; i < PQntuples(res) && len < (int)sizeof valid; i++)
        len += snprintf(valid + len, sizeof valid - (size_t)len, "%s%s", i ? ", " : "",
                        PQgetvalue(res, i, 0));
    for (size_t k = 0; k < count; k++) {
        bool known = false;
        for (int i = 0; i < PQntuples(res) && !known; i++)
            known = strcmp(PQgetvalue(res, i, 0), changes[k].name) == 0;
        if (!known) {
            ctl_error(COMMAND, "unknown setting '%s' (valid: %s)", changes[k].name, valid);
            rc = 2;
        }
    }
    PQclear(res);
    return rc;
}

/* Reads the current values of the changed settings, locking their rows. */
static db_status_t read_old_values(db_t *db, settings_job_t *job, char *errstr, size_t errstr_size)
{
    PGresult *res;
    const char *params[1] = {job->names};
    db_status_t st = db_exec(db,
                             "SELECT name, value FROM setting WHERE name = ANY ($1::text[]) "
                             "ORDER BY name FOR UPDATE",
                             1, params, &res, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    size_t found = 0;
    for (int i = 0; i < PQntuples(res); i++) {
        for (size_t k = 0; k < job->count; k++) {
            if (strcmp(job->changes[k].name, PQgetvalue(res, i, 0)) == 0) {
                job->changes[k].old_value = atol(PQgetvalue(res, i, 1));
                found++;
            }
        }
    }
    PQclear(res);
    if (found == job->count)
        return DB_OK;
    snprintf(errstr, errstr_size, "a setting disappeared while it was being changed");
    return DB_REFUSED;
}

/* Refuses (DB_REFUSED) a designation cap below the posts designated now. */
static db_status_t hold_designation_cap(db_t *db, char *errstr, size_t errstr_size)
{
    long designated, cap;
    db_status_t st = ctl_designations(db, &designated, &cap, errstr, errstr_size);
    if (st != DB_OK)
        return st;
    if (designated <= cap)
        return DB_OK;
    snprintf(errstr, errstr_size,
             "designation_cap: %ld posts are designated top-200, more than a cap of %ld",
             designated, cap);
    return DB_REFUSED;
}

/* The transaction: with designation_cap, first the post table lock that an
 * import takes (so the cap and the designations agree); the setting rows in
 * name order; the update; then every designated post re-evaluated. */
static db_status_t settings_tx(db_t *db, void *arg, char *errstr, size_t errstr_size)
{
    settings_job_t *job = arg;
    const char *params[2] = {job->names, job->values};
    db_status_t st = DB_OK;
    memset(&job->stats, 0, sizeof job->stats);
    if (job->cap_changed)
        st = db_exec(db, "LOCK TABLE post IN SHARE ROW EXCLUSIVE MODE", 0, NULL, NULL, errstr,
                     errstr_size);
    if (st == DB_OK)
        st = read_old_values(db, job, errstr, errstr_size);
    if (st == DB_OK)
        st = db_exec(db,
                     "UPDATE setting s SET value = c.value "
                     "FROM unnest($1::text[], $2::integer[]) AS c(name, value) "
                     "WHERE s.name = c.name AND s.value <> c.value",
                     2, params, NULL, errstr, errstr_size);
    if (st == DB_OK && job->cap_changed)
        st = hold_designation_cap(db, errstr, errstr_size);
    if (st == DB_OK)
        st = evaluate_all(db, &job->stats, errstr, errstr_size);
    return st;
}

/* Builds the array literals of names and values. Returns 0, or -1 when out of memory. */
static int build_arrays(settings_job_t *job)
{
    size_t names_len = 0, names_cap = 0, values_len = 0, values_cap = 0;
    for (size_t k = 0; k < job->count; k++) {
        job->cap_changed |= strcmp(job->changes[k].name, "designation_cap") == 0;
        if (db_array_append(&job->names, &names_len, &names_cap, job->changes[k].name) ||
            db_array_append(&job->values, &values_len, &values_cap, job->changes[k].value))
            return -1;
    }
    if (db_array_finish(&job->names, &names_len, &names_cap) ||
        db_array_finish(&job->values, &values_len, &values_cap))
        return -1;
    return 0;
}

static void print_changes(const settings_job_t *job)
{
    for (size_t k = 0; k < job->count; k++) {
        const change_t *c = &job->changes[k];
        if (c->old_value == atol(c->value))
            printf("%s: %s (unchanged)\n", c->name, c->value);
        else
            printf("%s: %ld -> %s\n", c->name, c->old_value, c->value);
    }
    printf("%ld posts evaluated, %ld alerts queued\n", job->stats.posts, job->stats.alerts);
}

/* Applies the NAME=VALUE arguments. Returns the exit status. */
static int change(ctl_t *ctl, int argc, char **argv)
{
    settings_job_t job = {.count = (size_t)argc - 1};
    char err[1024];
    int rc = 1;
    job.changes = calloc(job.count, sizeof *job.changes);
    if (!job.changes) {
        ctl_error(COMMAND, "out of memory");
        goto done;
    }
    rc = parse_changes(argc, argv, job.changes);
    if (rc != 0)
        goto done;
    rc = 1;
    if (build_arrays(&job) != 0) {
        ctl_error(COMMAND, "out of memory");
        goto done;
    }
    db_t *db = ctl_db(ctl, COMMAND);
    if (!db)
        goto done;
    rc = check_names(db, job.changes, job.count);
    if (rc != 0)
        goto done;
    rc = 1;
    if (db_transaction(db, settings_tx, &job, err, sizeof err) != DB_OK) {
        ctl_error(COMMAND, "%s", err);
        goto done;
    }
    print_changes(&job);
    rc = 0;
done:
    free(job.changes);
    free(job.names);
    free(job.values);
    return rc;
}

int cmd_settings(ctl_t *ctl, int argc, char **argv)
{
    if (argc > 1)
        return change(ctl, argc, argv);
    db_t *db = ctl_db(ctl, COMMAND);
    return db ? show(db) : 1;
}
