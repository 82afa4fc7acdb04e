/* reference: the reference data files read and checked (reference.h). */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reference.h"
#include "text.h"

#define MAX_SHOWN      48 /* bytes of a bad value echoed in a message */
#define MAX_ID_CHARS   64
#define MAX_NAME_CHARS 200 /* so that a post status stays small (evaluate.h) */

static const char *const columns[][REFERENCE_COLUMNS] = {
    [REFERENCE_ORGANISATIONS] = {"ods_code", "name", "kind", "region"},
    [REFERENCE_POSTS] = {"post_id", "ods_code", "role", "top200"},
};

/* The names the database accepts (deploy/migrations/001_reference.sql). */
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

/* ---- the report ---- */

void reference_report_add(reference_report_t *r, const reference_table_t *t, long line,
                          const char *field, const char *fmt, ...)
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
        reference_problem_t *items = realloc(r->items, cap * sizeof *items);
        if (!items) {
            r->out_of_memory = true;
            return;
        }
        r->items = items;
        r->cap = cap;
    }
    reference_problem_t *p = &r->items[r->count];
    *p = (reference_problem_t){t->file, line, r->count, strdup(text)};
    if (p->text)
        r->count++;
    else
        r->out_of_memory = true;
}

static int compare_problems(const void *a, const void *b)
{
    const reference_problem_t *x = a, *y = b;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

size_t reference_report_sort(reference_report_t *r, char *summary, size_t summary_size)
{
    summary[0] = '\0';
    if (r->count == 0)
        return 0;
    qsort(r->items, r->count, sizeof *r->items, compare_problems);
    if (r->count > REFERENCE_MAX_REPORTED)
        snprintf(summary, summary_size, "nothing imported: %zu problems, the first %d shown",
                 r->count, REFERENCE_MAX_REPORTED);
    else
        snprintf(summary, summary_size, "nothing imported: %zu problem%s", r->count,
                 r->count == 1 ? "" : "s");
    return r->count < REFERENCE_MAX_REPORTED ? r->count : REFERENCE_MAX_REPORTED;
}

void reference_report_free(reference_report_t *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->count; i++)
        free(r->items[i].text);
    free(r->items);
    *r = (reference_report_t){0};
}

/* v for a message, in buf (MAX_SHOWN + 4 bytes): cut and made safe for a
 * terminal as text.h does. */
static const char *shown(const char *v, char *buf, size_t size)
{
    return text_clean_into(v, strlen(v), TEXT_CONTROLS, buf, size);
}

/* "a, b, c" from names (count of them, or up to NULL when count is 0), into buf. */
static const char *joined(const char *const *names, size_t count, const char *sep, char *buf,
                          size_t size)
{
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; (count ? i < count : names[i] != NULL) && len < size; i++)
        len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? sep : "", names[i]);
    return buf;
}

/* Reports a csv_read() failure, "line N: problem", as PATH:N: problem. */
static void report_csv_error(reference_report_t *r, const reference_table_t *t, const char *err)
{
    long line = 0;
    int used = 0;
    if (sscanf(err, "line %ld: %n", &line, &used) == 1 && used > 0)
        reference_report_add(r, t, line, NULL, "%s", err + used);
    else
        reference_report_add(r, t, 0, NULL, "%s", err);
}

/* ---- the table ---- */

const char *reference_cell(const reference_table_t *t, size_t row, int column)
{
    return t->cells[row * REFERENCE_COLUMNS + (size_t)column];
}

void reference_table_free(reference_table_t *t)
{
    for (size_t i = 0; i < t->rows * REFERENCE_COLUMNS; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t->lines);
    free(t->by_key);
    *t = (reference_table_t){.file = t->file, .path = t->path};
}

/* Maps each header field to its column; reports every fault in the header.
 * Returns 0, or -1 when the header is wrong. */
static int read_header(const reference_table_t *t, const csv_record_t *header, int *column_of,
                       reference_report_t *r)
{
    const char *const *names = columns[t->file];
    bool seen[REFERENCE_COLUMNS] = {false};
    char expected[128];
    int faults = 0;
    joined(names, REFERENCE_COLUMNS, ",", expected, sizeof expected);
    for (size_t i = 0; i < header->count; i++) {
        char v[MAX_SHOWN + 4];
        int c = -1;
        for (int k = 0; k < REFERENCE_COLUMNS; k++)
            if (strcmp(header->fields[i], names[k]) == 0)
                c = k;
        if (i < REFERENCE_COLUMNS)
            column_of[i] = c;
        if (c < 0 || seen[c]) {
            reference_report_add(r, t, header->line, "header", "%s column '%s' (expected %s)",
                                 c < 0 ? "unknown" : "repeated",
                                 shown(header->fields[i], v, sizeof v), expected);
            faults++;
            continue;
        }
        seen[c] = true;
    }
    for (int c = 0; c < REFERENCE_COLUMNS; c++) {
        if (!seen[c]) {
            reference_report_add(r, t, header->line, "header", "missing column '%s' (expected %s)",
                                 names[c], expected);
            faults++;
        }
    }
    return faults ? -1 : 0;
}

/* Appends a record as a row, its cells put in column order. */
static int add_row(reference_table_t *t, const csv_record_t *rec, const int *column_of)
{
    if (t->rows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 64;
        char **cells = realloc(t->cells, cap * REFERENCE_COLUMNS * sizeof *cells);
        if (cells)
            t->cells = cells;
        long *lines = cells ? realloc(t->lines, cap * sizeof *lines) : NULL;
        if (!lines)
            return -1;
        t->lines = lines;
        t->cap = cap;
    }
    char **row = t->cells + t->rows * REFERENCE_COLUMNS;
    for (size_t i = 0; i < REFERENCE_COLUMNS; i++)
        row[column_of[i]] = NULL;
    t->lines[t->rows++] = rec->line;
    for (size_t i = 0; i < REFERENCE_COLUMNS; i++) {
        row[column_of[i]] = strdup(rec->fields[i]);
        if (!row[column_of[i]])
            return -1;
    }
    return 0;
}

/* A row and its first cell, for finding rows by key. */
struct reference_key {
    const char *key;
    size_t row;
};

static int compare_keyed(const void *a, const void *b)
{
    const struct reference_key *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : (x->row > y->row) - (x->row < y->row);
}

static int compare_key(const void *a, const void *b)
{
    return strcmp(((const struct reference_key *)a)->key, ((const struct reference_key *)b)->key);
}

/* Fills t->by_key. Returns 0, or -1 when out of memory. */
static int sort_by_key(reference_table_t *t)
{
    t->by_key = malloc((t->rows ? t->rows : 1) * sizeof *t->by_key);
    if (!t->by_key)
        return -1;
    for (size_t i = 0; i < t->rows; i++)
        t->by_key[i] = (struct reference_key){reference_cell(t, i, 0), i};
    qsort(t->by_key, t->rows, sizeof *t->by_key, compare_keyed);
    return 0;
}

bool reference_has(const reference_table_t *t, const char *key)
{
    struct reference_key probe = {key, 0};
    return t->by_key && bsearch(&probe, t->by_key, t->rows, sizeof probe, compare_key) != NULL;
}

int reference_load(reference_table_t *t, csv_reader_t *csv, reference_report_t *r)
{
    csv_record_t rec;
    char err[128], expected[128];
    int column_of[REFERENCE_COLUMNS];
    int rc = csv_read(csv, &rec, err, sizeof err);
    joined(columns[t->file], REFERENCE_COLUMNS, ",", expected, sizeof expected);
    if (rc == 0)
        reference_report_add(r, t, 0, NULL, "empty file: expected the header row %s", expected);
    if (rc != 1 || read_header(t, &rec, column_of, r))
        goto fail;
    while ((rc = csv_read(csv, &rec, err, sizeof err)) == 1) {
        if (rec.count != REFERENCE_COLUMNS) {
            reference_report_add(r, t, rec.line, NULL, "%zu fields, expected %d (%s)", rec.count,
                                 REFERENCE_COLUMNS, expected);
            continue;
        }
        if (add_row(t, &rec, column_of))
            break;
    }
    if (rc == 1 || (rc == 0 && sort_by_key(t))) {
        snprintf(err, sizeof err, "out of memory");
        rc = -1;
    }
    if (rc == 0)
        return 0;
fail:
    if (rc < 0)
        report_csv_error(r, t, err);
    return -1;
}

/* ---- the checks ---- */

/* For each row, the line of the first row holding the same key, or 0 for
 * the first of its key; the caller frees. NULL when out of memory, noted in r. */
static long *find_repeats(const reference_table_t *t, reference_report_t *r)
{
    long *earlier = malloc((t->rows ? t->rows : 1) * sizeof *earlier);
    if (!earlier) {
        r->out_of_memory = true;
        return NULL;
    }
    for (size_t i = 0, first = 0; i < t->rows; i++) {
        if (i > 0 && strcmp(t->by_key[i].key, t->by_key[first].key) != 0)
            first = i;
        earlier[t->by_key[i].row] = i == first ? 0 : t->lines[t->by_key[first].row];
    }
    return earlier;
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

/* True when s is word (lower case) in any mix of cases. */
static bool is_word(const char *s, const char *word)
{
    for (; *s && *word; s++, word++)
        if (tolower((unsigned char)*s) != *word)
            return false;
    return *s == *word;
}

static bool is_one_of(const char *s, const char *const *names)
{
    for (size_t i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0)
            return true;
    return false;
}

bool reference_is_ods_code(const char *s)
{
    size_t n = strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
    return s[n] == '\0' && n >= 2 && n <= 5;
}

bool reference_designated(const reference_table_t *posts, size_t row)
{
    return is_word(reference_cell(posts, row, REFERENCE_POST_TOP200), "yes");
}

/* Reports value of field on line unless it is one of names. */
static void check_enum(reference_report_t *r, const reference_table_t *t, long line,
                       const char *field, const char *value, const char *const *names)
{
    char v[MAX_SHOWN + 4], list[256];
    if (!is_one_of(value, names))
        reference_report_add(r, t, line, field, "'%s' is not one of %s", shown(value, v, sizeof v),
                             joined(names, 0, ", ", list, sizeof list));
}

/* Reports an ods_code that is malformed or repeated (earlier: its first line). */
static void check_ods_code(reference_report_t *r, const reference_table_t *t, long line,
                           const char *value, long earlier)
{
    char v[MAX_SHOWN + 4];
    if (!reference_is_ods_code(value))
        reference_report_add(r, t, line, "ods_code",
                             "'%s' is not 2 to 5 upper-case letters or digits",
                             shown(value, v, sizeof v));
    else if (earlier)
        reference_report_add(r, t, line, "ods_code", "'%s' is already on line %ld", value, earlier);
}

static void check_name(reference_report_t *r, const reference_table_t *t, long line,
                       const char *name)
{
    long chars = utf8_chars(name);
    if (only_white_space(name))
        reference_report_add(r, t, line, "name", "must not be empty");
    else if (chars < 0)
        reference_report_add(r, t, line, "name", "not valid UTF-8");
    else if (chars > MAX_NAME_CHARS)
        reference_report_add(r, t, line, "name", "longer than %d characters (%ld)", MAX_NAME_CHARS,
                             chars);
}

void reference_check_organisations(const reference_table_t *orgs, reference_report_t *r)
{
    long *earlier = find_repeats(orgs, r);
    if (!earlier)
        return;
    for (size_t i = 0; i < orgs->rows; i++) {
        long line = orgs->lines[i];
        check_ods_code(r, orgs, line, reference_cell(orgs, i, REFERENCE_ORG_ODS_CODE), earlier[i]);
        check_name(r, orgs, line, reference_cell(orgs, i, REFERENCE_ORG_NAME));
        check_enum(r, orgs, line, "kind", reference_cell(orgs, i, REFERENCE_ORG_KIND), kinds);
        check_enum(r, orgs, line, "region", reference_cell(orgs, i, REFERENCE_ORG_REGION), regions);
    }
    free(earlier);
}

/* Checks the post_id of row i (earlier: the line of the same id, or 0). */
static void check_post_id(reference_report_t *r, const reference_table_t *t, size_t i, long earlier)
{
    const char *id = reference_cell(t, i, REFERENCE_POST_ID);
    long line = t->lines[i], chars = utf8_chars(id);
    char v[MAX_SHOWN + 4];
    if (id[0] == '\0')
        reference_report_add(r, t, line, "post_id", "must not be empty");
    else if (only_white_space(id))
        reference_report_add(r, t, line, "post_id", "must not be only white space");
    else if (chars < 0)
        reference_report_add(r, t, line, "post_id", "not valid UTF-8");
    else if (chars > MAX_ID_CHARS)
        reference_report_add(r, t, line, "post_id", "'%s' is longer than %d characters (%ld)",
                             shown(id, v, sizeof v), MAX_ID_CHARS, chars);
    else if (earlier)
        reference_report_add(r, t, line, "post_id", "'%s' is already on line %ld", id, earlier);
}

/* Reports the well-formed ods_code of a post on line that is neither in
 * orgs nor known. */
static void check_organisation(reference_report_t *r, const reference_table_t *posts, long line,
                               const char *code, const reference_table_t *orgs,
                               reference_known_fn *known, void *arg)
{
    if (reference_is_ods_code(code) && !reference_has(orgs, code) && !(known && known(code, arg)))
        reference_report_add(r, posts, line, "ods_code", "'%s' is not an organisation in %s%s",
                             code, orgs->path ? orgs->path : "",
                             orgs->path ? " or in the database" : "the database");
}

void reference_check_posts(const reference_table_t *posts, const reference_table_t *orgs,
                           reference_known_fn *known, void *arg, reference_report_t *r)
{
    long *earlier = find_repeats(posts, r);
    if (!earlier)
        return;
    for (size_t i = 0; i < posts->rows; i++) {
        long line = posts->lines[i];
        const char *code = reference_cell(posts, i, REFERENCE_POST_ODS_CODE);
        const char *top200 = reference_cell(posts, i, REFERENCE_POST_TOP200);
        char v[MAX_SHOWN + 4];
        check_post_id(r, posts, i, earlier[i]);
        check_ods_code(r, posts, line, code, 0);
        check_organisation(r, posts, line, code, orgs, known, arg);
        check_enum(r, posts, line, "role", reference_cell(posts, i, REFERENCE_POST_ROLE), roles);
        if (!is_word(top200, "yes") && !is_word(top200, "no"))
            reference_report_add(r, posts, line, "top200", "'%s' is not yes or no",
                                 shown(top200, v, sizeof v));
    }
    free(earlier);
}
