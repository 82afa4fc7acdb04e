/* successionctl import: reads organisations.csv and posts.csv, checks every
 * row before touching the database, then upserts both in one transaction,
 * holds the designation cap and evaluates the posts, so that newly registered
 * posts are judged and their parked events take effect. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>

#include "csv.h"
#include "ctl.h"
#include "evaluate.h"
#include "fieldpath.h"
#include "text.h"

#define COMMAND        "import"
#define MAX_REPORTED   20 /* problems printed; the rest are only counted */
#define MAX_SHOWN      48 /* bytes of a bad value echoed in a message */
#define MAX_ID_CHARS   64
#define MAX_NAME_CHARS 200 /* so that a post status stays small (evaluate.h) */
#define MAX_COLUMNS    4

static const char usage[] = "usage: import [--organisations FILE] [--posts FILE]";

enum { ORG_ODS_CODE, ORG_NAME, ORG_KIND, ORG_REGION };
enum { POST_ID, POST_ODS_CODE, POST_ROLE, POST_TOP200 };

static const char *const organisation_columns[MAX_COLUMNS] = {"ods_code", "name", "kind", "region"};
static const char *const post_columns[MAX_COLUMNS] = {"post_id", "ods_code", "role", "top200"};

static const char *const kinds[] = {"ACUTE_TRUST",
                                    "MENTAL_HEALTH_TRUST",
                                    "COMMUNITY_TRUST",
                                    "AMBULANCE_TRUST",
                                    "SPECIALIST_TRUST",
                                    "CCG",
                                    "ICB",
                                    NULL};
static const char *const regions[] = {"LONDON",          "SOUTH_EAST",
                                      "SOUTH_WEST",      "MIDLANDS",
                                      "EAST_OF_ENGLAND", "NORTH_EAST_AND_YORKSHIRE",
                                      "NORTH_WEST",      NULL};
static const char *const roles[] = {"CHIEF_EXECUTIVE",         "FINANCE_DIRECTOR",
                                    "MEDICAL_DIRECTOR",        "NURSING_DIRECTOR",
                                    "CHIEF_OPERATING_OFFICER", "CHAIR",
                                    "OTHER_DIRECTOR",          NULL};

/* One CSV file in memory: its rows, with the cells of each in the order of
 * `columns` whatever their order in the file. */
typedef struct table {
    const char *path;           /* as given, borrowed from argv */
    int rank;                   /* problems of lower ranks are listed first */
    const char *const *columns; /* MAX_COLUMNS names */
    char **cells;               /* rows * MAX_COLUMNS, owned */
    long *lines;                /* physical line of each row */
    size_t rows, cap;
} table_t;

/* A row index sorted by one of its cells. */
typedef struct keyed_row {
    const char *key;
    size_t row;
} keyed_row_t;

/* One problem found before the database is touched. */
typedef struct problem {
    int rank;   /* of its file */
    long line;  /* 0: the file as a whole */
    size_t seq; /* order of finding, within a line */
    char *text; /* "PATH:LINE: FIELD: message", owned */
} problem_t;

/* Every problem found, listed in file and line order at the end. */
typedef struct report {
    problem_t *items;
    size_t count, cap;
} report_t;

/* The work of the transaction; re-run from the start on a retry. */
typedef struct import_job {
    const char *posts_path;
    char *organisation_arrays[MAX_COLUMNS]; /* array literals, owned; NULL: no file */
    char *post_arrays[MAX_COLUMNS];
    evaluate_stats_t stats;
} import_job_t;

static const char *cell(const table_t *t, size_t row, int column)
{
    return t->cells[row * MAX_COLUMNS + (size_t)column];
}

static void table_free(table_t *t)
{
    for (size_t i = 0; i < t->rows * MAX_COLUMNS; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->lines);
    t->cells = NULL;
    t->lines = NULL;
    t->rows = t->cap = 0;
}

/* v for a message, in buf (MAX_SHOWN + 4 bytes): cut and made safe for a
 * terminal as text.h does. */
static const char *shown(const char *v, char *buf, size_t size)
{
    return text_clean_into(v, strlen(v), TEXT_CONTROLS, buf, size);
}

/* Adds "PATH:LINE: FIELD: message" (LINE 0 and FIELD NULL left out) to the
 * report; printed at once if it cannot be kept. */
static void report(report_t *r, const table_t *t, long line, const char *field, const char *fmt,
                   ...) __attribute__((format(printf, 5, 6)));
static void report(report_t *r, const table_t *t, long line, const char *field, const char *fmt,
                   ...)
{
    char message[512], where[32] = "", text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    if (line > 0)
        snprintf(where, sizeof where, ":%ld", line);
    snprintf(text, sizeof text, "%s%s: %s%s%s", t->path, where, field ? field : "",
             field ? ": " : "", message);
    if (r->count == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        problem_t *items = realloc(r->items, cap * sizeof *items);
        if (!items) {
            ctl_error(COMMAND, "%s", text);
            return;
        }
        r->items = items;
        r->cap = cap;
    }
    problem_t *p = &r->items[r->count];
    *p = (problem_t){t->rank, line, r->count, strdup(text)};
    if (!p->text)
        ctl_error(COMMAND, "%s", text);
    else
        r->count++;
}

static int compare_problems(const void *a, const void *b)
{
    const problem_t *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Prints the first MAX_REPORTED problems in file and line order, and how
 * many there were; frees them. */
static void report_print(report_t *r)
{
    if (r->count == 0)
        return;
    qsort(r->items, r->count, sizeof *r->items, compare_problems);
    for (size_t i = 0; i < r->count && i < MAX_REPORTED; i++)
        ctl_error(COMMAND, "%s", r->items[i].text);
    if (r->count > MAX_REPORTED)
        ctl_error(COMMAND, "nothing imported: %zu problems, the first %d shown", r->count,
                  MAX_REPORTED);
    else if (r->count)
        ctl_error(COMMAND, "nothing imported: %zu problem%s", r->count, r->count == 1 ? "" : "s");
    for (size_t i = 0; i < r->count; i++)
        free(r->items[i].text);
    free(r->items);
    *r = (report_t){0};
}

/* Reports a csv_read() failure, "line N: problem", as PATH:N: problem. */
static void report_csv_error(report_t *r, const table_t *t, const char *err)
{
    long line = 0;
    int used = 0;
    if (sscanf(err, "line %ld: %n", &line, &used) == 1 && used > 0)
        report(r, t, line, NULL, "%s", err + used);
    else
        report(r, t, 0, NULL, "%s", err);
}

/* "a, b, c" from a NULL-terminated list, into buf. */
static const char *joined(const char *const *names, size_t count, const char *sep, char *buf,
                          size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; (count ? i < count : names[i] != NULL) && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? sep : "", names[i]);
    return buf;
}

/* Maps each header field to its column; reports every fault in the header.
 * Returns 0, or -1 when the header is wrong. */
static int read_header(const table_t *t, const csv_record_t *header, int *column_of, report_t *r)
{
    bool seen[MAX_COLUMNS] = {false};
    char expected[128];
    int faults = 0;
    joined(t->columns, MAX_COLUMNS, ",", expected, sizeof expected);
    for (size_t i = 0; i < header->count; i++) {
        char v[MAX_SHOWN + 4];
        int c = -1;
        for (int k = 0; k < MAX_COLUMNS; k++)
            if (strcmp(header->fields[i], t->columns[k]) == 0)
                c = k;
        if (i < MAX_COLUMNS)
            column_of[i] = c;
        if (c < 0 || seen[c]) {
            report(r, t, header->line, "header", "%s column '%s' (expected %s)",
                   c < 0 ? "unknown" : "repeated", shown(header->fields[i], v, sizeof v), expected);
            faults++;
            continue;
        }
        seen[c] = true;
    }
    for (int c = 0; c < MAX_COLUMNS; c++) {
        if (!seen[c]) {
            report(r, t, header->line, "header", "missing column '%s' (expected %s)", t->columns[c],
                   expected);
            faults++;
        }
    }
    return faults ? -1 : 0;
}

/* Appends a record as a row, its cells put in column order. */
static int add_row(table_t *t, const csv_record_t *rec, const int *column_of)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **cells = realloc(t->cells, cap * MAX_COLUMNS * sizeof *cells);
        if (cells)
            t->cells = cells;
        long *lines = cells ? realloc(t->lines, cap * sizeof *lines) : NULL;
        if (!lines)
            return -1;
        t->lines = lines;
        t->cap = cap;
    }
    char **row = t->cells + t->rows * MAX_COLUMNS;
    for (size_t i = 0; i < MAX_COLUMNS; i++)
        row[column_of[i]] = NULL;
    t->lines[t->rows++] = rec->line;
    for (size_t i = 0; i < MAX_COLUMNS; i++) {
        row[column_of[i]] = strdup(rec->fields[i]);
        if (!row[column_of[i]])
            return -1;
    }
    return 0;
}

/* Reads the header and rows of an open CSV file. Rows with the wrong number
 * of fields are reported and left out. Returns 0, or -1 after reporting a
 * fault that stops the reading (not CSV, a wrong header, out of memory). */
static int read_rows(table_t *t, csv_reader_t *csv, report_t *r)
{
    csv_record_t rec;
    char err[128], expected[128];
    int column_of[MAX_COLUMNS];
    int rc = csv_read(csv, &rec, err, sizeof err);
    joined(t->columns, MAX_COLUMNS, ",", expected, sizeof expected);
    if (rc == 0)
        report(r, t, 0, NULL, "empty file: expected the header row %s", expected);
    if (rc != 1 || read_header(t, &rec, column_of, r))
        goto fail;
    while ((rc = csv_read(csv, &rec, err, sizeof err)) == 1) {
        if (rec.count != MAX_COLUMNS) {
            report(r, t, rec.line, NULL, "%zu fields, expected %d (%s)", rec.count, MAX_COLUMNS,
                   expected);
            continue;
        }
        if (add_row(t, &rec, column_of)) {
            snprintf(err, sizeof err, "out of memory");
            rc = -1;
            break;
        }
    }
    if (rc == 0)
        return 0;
fail:
    if (rc < 0)
        report_csv_error(r, t, err);
    return -1;
}

/* Reads t->path into t. Returns 0, or -1 after reporting why it cannot. */
static int table_load(table_t *t, report_t *r)
{
    int rc = -1;
    csv_reader_t *csv = NULL;
    FILE *f = fopen(t->path, "r");
    if (!f) {
        report(r, t, 0, NULL, "cannot open: %s", strerror(errno));
        goto done;
    }
    csv = csv_open_file(f);
    if (!csv) {
        report(r, t, 0, NULL, "out of memory");
        goto done;
    }
    rc = read_rows(t, csv, r);
done:
    csv_free(csv);
    if (f)
        fclose(f);
    return rc;
}

static int compare_keyed(const void *a, const void *b)
{
    const keyed_row_t *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static int compare_key(const void *a, const void *b)
{
    return strcmp(((const keyed_row_t *)a)->key, ((const keyed_row_t *)b)->key);
}

/* The rows of t sorted by the cell of column (then by row); caller frees.
 * NULL when out of memory. */
static keyed_row_t *sort_by(const table_t *t, int column)
{
    keyed_row_t *sorted = malloc((t->rows ? t->rows : 1) * sizeof *sorted);
    if (!sorted)
        return NULL;
    for (size_t i = 0; i < t->rows; i++)
        sorted[i] = (keyed_row_t){cell(t, i, column), i};
    qsort(sorted, t->rows, sizeof *sorted, compare_keyed);
    return sorted;
}

static bool in_sorted(const keyed_row_t *sorted, size_t count, const char *key)
{
    keyed_row_t probe = {key, 0};
    return count > 0 && bsearch(&probe, sorted, count, sizeof *sorted, compare_key) != NULL;
}

/* Fills earlier[row] with the line of the first row holding the same key,
 * or 0 for the first of its key. */
static void find_repeats(const table_t *t, const keyed_row_t *sorted, long *earlier)
{
    for (size_t i = 0, first = 0; i < t->rows; i++) {
        if (i > 0 && strcmp(sorted[i].key, sorted[first].key) != 0)
            first = i;
        earlier[sorted[i].row] = i == first ? 0 : t->lines[sorted[first].row];
    }
}

/* Number of characters of well-formed UTF-8 text s, or -1 when it is not. */
static long utf8_chars(const char *s)
{
    size_t chars;
    return text_utf8_length(s, &chars) ? -1 : (long)chars;
}

static bool only_white_space(const char *s)
{
    return s[strspn(s, " \t\r\n\v\f")] == '\0';
}

static bool is_ods_code(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    return s[n] == '\0' && n >= 2 && n <= 5;
}

static bool is_one_of(const char *s, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

/* Reports value of field on line unless it is one of names. */
static void check_enum(report_t *r, const table_t *t, long line, const char *field,
                       const char *value, const char *const *names)
{
    char v[MAX_SHOWN + 4], list[256];
    if (!is_one_of(value, names))
        report(r, t, line, field, "'%s' is not one of %s", shown(value, v, sizeof v),
               joined(names, 0, ", ", list, sizeof list));
}

/* Reports an ods_code that is malformed or repeated (earlier: its first line). */
static void check_ods_code(report_t *r, const table_t *t, long line, const char *value,
                           long earlier)
{
    char v[MAX_SHOWN + 4];
    if (!is_ods_code(value))
        report(r, t, line, "ods_code", "'%s' is not 2 to 5 upper-case letters or digits",
               shown(value, v, sizeof v));
    else if (earlier)
        report(r, t, line, "ods_code", "'%s' is already on line %ld", value, earlier);
}

/* Checks every organisation row; sorted is the rows by ods_code. */
static int check_organisations(const table_t *t, const keyed_row_t *sorted, report_t *r)
{
    long *earlier = malloc((t->rows ? t->rows : 1) * sizeof *earlier);
    if (!earlier)
        return -1;
    find_repeats(t, sorted, earlier);
    for (size_t i = 0; i < t->rows; i++) {
        long line = t->lines[i];
        const char *name = cell(t, i, ORG_NAME);
        check_ods_code(r, t, line, cell(t, i, ORG_ODS_CODE), earlier[i]);
        long name_chars = utf8_chars(name);
        if (only_white_space(name))
            report(r, t, line, "name", "must not be empty");
        else if (name_chars < 0)
            report(r, t, line, "name", "not valid UTF-8");
        else if (name_chars > MAX_NAME_CHARS)
            report(r, t, line, "name", "longer than %d characters (%ld)", MAX_NAME_CHARS,
                   name_chars);
        check_enum(r, t, line, "kind", cell(t, i, ORG_KIND), kinds);
        check_enum(r, t, line, "region", cell(t, i, ORG_REGION), regions);
    }
    free(earlier);
    return 0;
}

/* True when the result rows (one ods_code each, in byte order) hold code. */
static bool in_result(const PGresult *res, const char *code)
{
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
static int find_known_organisations(ctl_t *ctl, const table_t *posts,
                                    const keyed_row_t *organisations, size_t organisation_count,
                                    PGresult **known)
{
    char *codes = NULL, err[512];
    size_t len = 0, cap = 0;
    int rc = -1;
    *known = NULL;
    for (size_t i = 0; i < posts->rows; i++) {
        const char *code = cell(posts, i, POST_ODS_CODE);
        if (is_ods_code(code) && !in_sorted(organisations, organisation_count, code) &&
            db_array_append(&codes, &len, &cap, code))
            goto oom;
    }
    if (!codes)
        return 0;
    if (db_array_finish(&codes, &len, &cap))
        goto oom;
    db_t *db = ctl_db(ctl, COMMAND);
    const char *params[1] = {codes};
    if (db && db_exec(db,
                      "SELECT ods_code FROM organisation WHERE ods_code = ANY ($1::text[]) "
                      "ORDER BY ods_code COLLATE \"C\"",
                      1, params, known, err, sizeof err) != DB_OK)
        ctl_error(COMMAND, "looking up organisations: %s", err);
    rc = *known ? 0 : -1;
    goto done;
oom:
    ctl_error(COMMAND, "out of memory");
done:
    free(codes);
    return rc;
}

/* Checks the post_id of row i (earlier: the line of the same id, or 0). */
static void check_post_id(report_t *r, const table_t *t, size_t i, long earlier)
{
    const char *id = cell(t, i, POST_ID);
    long line = t->lines[i], chars = utf8_chars(id);
    char v[MAX_SHOWN + 4];
    if (id[0] == '\0')
        report(r, t, line, "post_id", "must not be empty");
    else if (only_white_space(id))
        report(r, t, line, "post_id", "must not be only white space");
    else if (chars < 0)
        report(r, t, line, "post_id", "not valid UTF-8");
    else if (chars > MAX_ID_CHARS)
        report(r, t, line, "post_id", "'%s' is longer than %d characters (%ld)",
               shown(id, v, sizeof v), MAX_ID_CHARS, chars);
    else if (earlier)
        report(r, t, line, "post_id", "'%s' is already on line %ld", id, earlier);
}

/* Checks every post row: sorted is the posts by post_id, organisations the
 * organisations file by ods_code, known the ods codes found in the database. */
static int check_posts(const table_t *t, const keyed_row_t *sorted, const table_t *orgs,
                       const keyed_row_t *organisations, const PGresult *known, report_t *r)
{
    long *earlier = malloc((t->rows ? t->rows : 1) * sizeof *earlier);
    if (!earlier)
        return -1;
    find_repeats(t, sorted, earlier);
    for (size_t i = 0; i < t->rows; i++) {
        long line = t->lines[i];
        const char *code = cell(t, i, POST_ODS_CODE), *top200 = cell(t, i, POST_TOP200);
        char v[MAX_SHOWN + 4];
        check_post_id(r, t, i, earlier[i]);
        check_ods_code(r, t, line, code, 0);
        if (is_ods_code(code) && !in_sorted(organisations, orgs->rows, code) &&
            !in_result(known, code))
            report(r, t, line, "ods_code", "'%s' is not an organisation in %s%s", code,
                   orgs->path ? orgs->path : "",
                   orgs->path ? " or in the database" : "the database");
        check_enum(r, t, line, "role", cell(t, i, POST_ROLE), roles);
        if (strcasecmp(top200, "yes") != 0 && strcasecmp(top200, "no") != 0)
            report(r, t, line, "top200", "'%s' is not yes or no", shown(top200, v, sizeof v));
    }
    free(earlier);
    return 0;
}

/* Reads and checks both files (a NULL path is no file). Returns 0 when
 * every row is good, -1 after reporting the problems. */
static int validate(ctl_t *ctl, table_t *orgs, table_t *posts, report_t *r)
{
    keyed_row_t *org_sorted = NULL, *post_sorted = NULL;
    PGresult *known = NULL;
    int rc = -1;
    bool loaded = !(orgs->path && table_load(orgs, r));
    loaded = !(posts->path && table_load(posts, r)) && loaded;
    if (!loaded)
        goto done;
    org_sorted = sort_by(orgs, ORG_ODS_CODE);
    post_sorted = sort_by(posts, POST_ID);
    if (!org_sorted || !post_sorted || check_organisations(orgs, org_sorted, r)) {
        ctl_error(COMMAND, "out of memory");
        goto done;
    }
    if (posts->path && find_known_organisations(ctl, posts, org_sorted, orgs->rows, &known))
        goto done;
    if (check_posts(posts, post_sorted, orgs, org_sorted, known, r)) {
        ctl_error(COMMAND, "out of memory");
        goto done;
    }
    rc = r->count ? -1 : 0;
done:
    report_print(r);
    PQclear(known);
    free(org_sorted);
    free(post_sorted);
    return rc;
}

/* The cells of column as a PostgreSQL array literal (caller frees); the
 * top200 column becomes booleans. NULL when out of memory. */
static char *column_array(const table_t *t, int column, bool is_top200)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (size_t i = 0; i < t->rows; i++) {
        const char *v = cell(t, i, column);
        if (is_top200)
            v = strcasecmp(v, "yes") == 0 ? "true" : "false";
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
        st = run(db, "upserting organisations", upsert_organisations_sql, MAX_COLUMNS,
                 job->organisation_arrays, errstr, errstr_size);
    if (st == DB_OK && with_posts)
        st = run(db, "upserting posts", upsert_posts_sql, MAX_COLUMNS, job->post_arrays, errstr,
                 errstr_size);
    if (st == DB_OK && with_posts)
        st = hold_designation_cap(db, job->posts_path, errstr, errstr_size);
    if (st == DB_OK)
        st = evaluate_all(db, &job->stats, errstr, errstr_size);
    return st;
}

/* Upserts the checked tables and prints the summary. Returns the exit status. */
static int import(ctl_t *ctl, const table_t *orgs, const table_t *posts)
{
    import_job_t job = {.posts_path = posts->path};
    char err[1024];
    int rc = 1;
    size_t designated = 0;
    for (int c = 0; c < MAX_COLUMNS; c++) {
        if (orgs->path && !(job.organisation_arrays[c] = column_array(orgs, c, false)))
            goto oom;
        if (posts->path && !(job.post_arrays[c] = column_array(posts, c, c == POST_TOP200)))
            goto oom;
    }
    for (size_t i = 0; i < posts->rows; i++)
        designated += strcasecmp(cell(posts, i, POST_TOP200), "yes") == 0;
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
    for (int c = 0; c < MAX_COLUMNS; c++) {
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
    table_t orgs = {.columns = organisation_columns, .rank = 0};
    table_t posts = {.columns = post_columns, .rank = 1};
    report_t problems = {0};
    int rc = parse_args(argc, argv, &orgs.path, &posts.path);
    if (rc == 0)
        rc = validate(ctl, &orgs, &posts, &problems) ? 1 : import(ctl, &orgs, &posts);
    table_free(&orgs);
    table_free(&posts);
    return rc;
}
