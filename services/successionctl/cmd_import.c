/* successionctl import: reads organisations.csv and posts.csv, has the core
 * check every row (reference.h) before touching the database, then upserts
 * both in one transaction, holds the designation cap and evaluates the
 * posts, so that newly registered posts are judged and their parked events
 * take effect. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "evaluate.h"
#include "reference.h"

#define COMMAND "import"

static const char usage[] = "usage: import [--organisations FILE] [--posts FILE]";

/* The work of the transaction; re-run from the start on a retry. */
typedef struct import_job {
    const char *posts_path;
    char *organisation_arrays[REFERENCE_COLUMNS]; /* array literals, owned; NULL: no file */
    char *post_arrays[REFERENCE_COLUMNS];
    evaluate_stats_t stats;
} import_job_t;

/* Reads t->path into t. Returns 0, or -1 after reporting why it cannot. */
static int load(reference_table_t *t, reference_report_t *r)
{
    FILE *f = fopen(t->path, "r");
    csv_reader_t *csv = f ? csv_open_file(f) : NULL;
    int rc = csv ? reference_load(t, csv, r) : -1;
    if (!f)
        reference_report_add(r, t, 0, NULL, "cannot open: %s", strerror(errno));
    else if (!csv)
        reference_report_add(r, t, 0, NULL, "out of memory");
    csv_free(csv);
    if (f)
        fclose(f);
    return rc;
}

/* True when the result rows (one ods_code each, in byte order) hold code. */
static bool in_result(const char *code, void *arg)
{
    const PGresult *res = arg;
    int low = 0, high = res ? PQntuples(res) : 0;
    while (low < high) {
        int mid = low + (high - low) / 2;
        int c = strcmp(PQgetvalue(res, mid, 0), code);
        if (c == 0)
            return true;
        if (c < 0)
            low = mid + 1;
        else
            high = mid;
    }
    return false;
}

/* Looks up in the database the well-formed ods codes of posts that the
 * organisations file does not hold. *known is the ones found (caller
 * clears), or NULL when nothing needed looking up. Returns 0, or -1 after
 * printing why the database could not answer. */
static int find_known_organisations(ctl_t *ctl, const reference_table_t *posts,
                                    const reference_table_t *orgs, PGresult **known)
{
    char *codes = NULL, err[512];
    size_t len = 0, cap = 0;
    int failed = 0;
    *known = NULL;
    for (size_t i = 0; i < posts->rows && !failed; i++) {
        const char *code = reference_cell(posts, i, REFERENCE_POST_ODS_CODE);
        if (reference_is_ods_code(code) && !reference_has(orgs, code))
            failed = db_array_append(&codes, &len, &cap, code);
    }
    if (!codes && !failed)
        return 0;
    if (failed || db_array_finish(&codes, &len, &cap)) {
        ctl_error(COMMAND, "out of memory");
        free(codes);
        return -1;
    }
    const char *params[1] = {codes};
    db_t *db = ctl_db(ctl, COMMAND);
    if (db && db_exec(db,
                      "SELECT ods_code FROM organisation WHERE ods_code = ANY ($1::text[]) "
                      "ORDER BY ods_code COLLATE \"C\"",
                      1, params, known, err, sizeof err) != DB_OK)
        ctl_error(COMMAND, "looking up organisations: %s", err);
    free(codes);
    return *known ? 0 : -1;
}

/* Reads and checks both files (a NULL path is no file), then prints the
 * first problems in file and line order and how many there were. Returns 0
 * when every row is good, or -1. */
static int validate(ctl_t *ctl, reference_table_t *orgs, reference_table_t *posts)
{
    reference_report_t r = {0};
    PGresult *known = NULL;
    char summary[128];
    bool loaded = !(orgs->path && load(orgs, &r));
    loaded = !(posts->path && load(posts, &r)) && loaded;
    if (loaded)
        reference_check_organisations(orgs, &r);
    bool checked = loaded && !(posts->path && find_known_organisations(ctl, posts, orgs, &known));
    if (checked)
        reference_check_posts(posts, orgs, in_result, known, &r);
    int rc = checked && r.count == 0 && !r.out_of_memory ? 0 : -1;
    size_t shown = reference_report_sort(&r, summary, sizeof summary);
    for (size_t i = 0; i < shown; i++)
        ctl_error(COMMAND, "%s", r.items[i].text);
    if (r.out_of_memory)
        ctl_error(COMMAND, "out of memory");
    if (r.count)
        ctl_error(COMMAND, "%s", summary);
    reference_report_free(&r);
    PQclear(known);
    return rc;
}

/* The cells of column as a PostgreSQL array literal (caller frees); the
 * top200 column becomes booleans. NULL when out of memory. */
static char *column_array(const reference_table_t *t, int column)
{
    bool is_top200 = t->file == REFERENCE_POSTS && column == REFERENCE_POST_TOP200;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (size_t i = 0; i < t->rows; i++) {
        const char *v = reference_cell(t, i, column);
        if (is_top200)
            v = reference_designated(t, i) ? "true" : "false";
        if (db_array_append(&buf, &len, &cap, v))
            goto fail;
    }
    if (db_array_finish(&buf, &len, &cap))
        goto fail;
    return buf;
fail:
    free(buf);
    return NULL;
}

static const char upsert_organisations_sql[] =
    "INSERT INTO organisation AS o (ods_code, name, kind, region) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) "
    "AS t(ods_code, name, kind, region) ORDER BY ods_code COLLATE \"C\" "
    "ON CONFLICT (ods_code) DO UPDATE "
    "SET name = EXCLUDED.name, kind = EXCLUDED.kind, region = EXCLUDED.region "
    "WHERE (o.name, o.kind, o.region) IS DISTINCT FROM "
    "(EXCLUDED.name, EXCLUDED.kind, EXCLUDED.region)";

static const char upsert_posts_sql[] =
    "INSERT INTO post AS p (post_id, ods_code, role, designated) "
    "SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) "
    "AS t(post_id, ods_code, role, designated) ORDER BY post_id COLLATE \"C\" "
    "ON CONFLICT (post_id) DO UPDATE "
    "SET ods_code = EXCLUDED.ods_code, role = EXCLUDED.role, designated = EXCLUDED.designated "
    "WHERE (p.ods_code, p.role, p.designated) IS DISTINCT FROM "
    "(EXCLUDED.ods_code, EXCLUDED.role, EXCLUDED.designated)";

/* Runs sql; on failure errstr starts with what was being done. */
static db_status_t run(db_t *db, const char *doing, const char *sql, int nparams,
                       char *const *params, char *errstr, size_t errstr_size)
{
    char err[512];
    db_status_t st = db_exec(db, sql, nparams, (const char *const *)params, NULL, err, sizeof err);
    if (st != DB_OK)
        snprintf(errstr, errstr_size, "%s: %s", doing, err);
    return st;
}

/* Refuses (DB_REFUSED) when more posts are designated than the cap allows. */
static db_status_t hold_designation_cap(db_t *db, const char *posts_path, char *errstr,
                                        size_t errstr_size)
{
    char err[512];
    long designated, cap;
    db_status_t st = ctl_designations(db, &designated, &cap, err, sizeof err);
    if (st != DB_OK) {
        snprintf(errstr, errstr_size, "counting designated posts: %s", err);
        return st;
    }
    if (designated <= cap)
        return DB_OK;
    snprintf(errstr, errstr_size,
             "%s: %ld posts would be designated top-200, over the cap of %ld "
             "(setting designation_cap)",
             posts_path, designated, cap);
    return DB_REFUSED;
}

/* The transaction: with posts, the post table lock first, then the upserts,
 * the cap and the evaluation of every post. The lock is exclusive even of
 * readers: one import at a time, so that the cap holds, and no worker batch
 * in between, so that a batch either committed before (its parked events
 * are seen here) or sees the posts as this import leaves them. */
static db_status_t import_tx(db_t *db, void *arg, char *errstr, size_t errstr_size)
{
    import_job_t *job = arg;
    bool with_posts = job->post_arrays[0] != NULL;
    db_status_t st = DB_OK;
    memset(&job->stats, 0, sizeof job->stats);
    if (with_posts)
        st = run(db, "locking posts", "LOCK TABLE post IN ACCESS EXCLUSIVE MODE", 0, NULL, errstr,
                 errstr_size);
    if (st == DB_OK && job->organisation_arrays[0])
        st = run(db, "upserting organisations", upsert_organisations_sql, REFERENCE_COLUMNS,
                 job->organisation_arrays, errstr, errstr_size);
    if (st == DB_OK && with_posts)
        st = run(db, "upserting posts", upsert_posts_sql, REFERENCE_COLUMNS, job->post_arrays,
                 errstr, errstr_size);
    if (st == DB_OK && with_posts)
        st = hold_designation_cap(db, job->posts_path, errstr, errstr_size);
    if (st == DB_OK)
        st = evaluate_all(db, &job->stats, errstr, errstr_size);
    return st;
}

/* Upserts the checked tables and prints the summary. Returns the exit status. */
static int import(ctl_t *ctl, const reference_table_t *orgs, const reference_table_t *posts)
{
    import_job_t job = {.posts_path = posts->path};
    char err[1024];
    int rc = 1;
    size_t designated = 0;
    for (int c = 0; c < REFERENCE_COLUMNS; c++) {
        if ((orgs->path && !(job.organisation_arrays[c] = column_array(orgs, c))) ||
            (posts->path && !(job.post_arrays[c] = column_array(posts, c))))
            goto oom;
    }
    for (size_t i = 0; i < posts->rows; i++)
        designated += reference_designated(posts, i);
    db_t *db = ctl_db(ctl, COMMAND);
    if (!db)
        goto done;
    if (db_transaction(db, import_tx, &job, err, sizeof err) != DB_OK) {
        ctl_error(COMMAND, "%s", err);
        goto done;
    }
    printf("imported %zu organisations, %zu posts (%zu designated); %ld posts evaluated, "
           "%ld alerts queued\n",
           orgs->rows, posts->rows, designated, job.stats.posts, job.stats.alerts);
    rc = 0;
    goto done;
oom:
    ctl_error(COMMAND, "out of memory");
done:
    for (int c = 0; c < REFERENCE_COLUMNS; c++) {
        free(job.organisation_arrays[c]);
        free(job.post_arrays[c]);
    }
    return rc;
}

/* Reads --organisations FILE and --posts FILE (or --flag=FILE). Returns 0,
 * or 2 after printing the usage. */
static int parse_args(int argc, char **argv, const char **organisations, const char **posts)
{
    static const char *const flags[] = {"--organisations", "--posts"};
    const char **slots[] = {organisations, posts};
    for (int i = 1; i < argc; i++) {
        int f = -1;
        size_t n = 0;
        for (int k = 0; k < 2 && f < 0; k++) {
            n = strlen(flags[k]);
            if (strncmp(argv[i], flags[k], n) == 0 && (argv[i][n] == '\0' || argv[i][n] == '='))
                f = k;
        }
        if (f < 0) {
            ctl_error(COMMAND, "unexpected argument '%s'", argv[i]);
            goto usage;
        }
        const char *value = argv[i][n] == '=' ? argv[i] + n + 1 : i + 1 < argc ? argv[++i] : "";
        if (*value == '\0' || *slots[f]) {
            ctl_error(COMMAND, "%s %s", flags[f], *value ? "given twice" : "needs a file");
            goto usage;
        }
        *slots[f] = value;
    }
    if (*organisations || *posts)
        return 0;
    ctl_error(COMMAND, "nothing to import: give --organisations FILE, --posts FILE or both");
usage:
    ctl_error(COMMAND, "%s", usage);
    return 2;
}

int cmd_import(ctl_t *ctl, int argc, char **argv)
{
    reference_table_t orgs = {.file = REFERENCE_ORGANISATIONS};
    reference_table_t posts = {.file = REFERENCE_POSTS};
    int rc = parse_args(argc, argv, &orgs.path, &posts.path);
    if (rc == 0)
        rc = validate(ctl, &orgs, &posts) ? 1 : import(ctl, &orgs, &posts);
    reference_table_free(&orgs);
    reference_table_free(&posts);
    return rc;
}
