/* reference: the reference data files (organisations.csv and posts.csv,
 * shared/scenarios/README.md) read into tables and checked row by row
 * before anything is written.
 *
 * Every problem found goes into a report as "PATH:LINE: FIELD: what is
 * wrong" (LINE left out for the file as a whole, FIELD for the row as a
 * whole), and the report sorts them into file and line order. The checks:
 * the header names every column once and nothing else (in any order); every
 * row has four fields; an ods_code is 2 to 5 upper-case letters or digits,
 * once in the organisations file; a name is not blank, is UTF-8 and at most
 * 200 characters; kind, region and role are one of their names; a post_id is
 * not empty or blank, is UTF-8, at most 64 characters and once in the file;
 * top200 is yes or no in any case; a post's ods_code is an organisation of
 * the organisations file or one the caller knows of.
 *
 * Ownership: a table and a report own what they hold until their _free();
 * a table borrows its path. */
#ifndef SUCCESSION_REFERENCE_H
#define SUCCESSION_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "csv.h"

#define REFERENCE_COLUMNS      4
#define REFERENCE_MAX_REPORTED 20 /* problems shown; the rest are only counted */

/* Which file a table holds; problems of the organisations file sort first. */
typedef enum reference_file { REFERENCE_ORGANISATIONS, REFERENCE_POSTS } reference_file_t;

/* The columns of each file, in the order of the table's cells. */
enum { REFERENCE_ORG_ODS_CODE, REFERENCE_ORG_NAME, REFERENCE_ORG_KIND, REFERENCE_ORG_REGION };
enum { REFERENCE_POST_ID, REFERENCE_POST_ODS_CODE, REFERENCE_POST_ROLE, REFERENCE_POST_TOP200 };

/* One file's rows, each with REFERENCE_COLUMNS cells in column order
 * whatever their order in the file. Start from {.file, .path} (all else
 * zero); a table without a path stands for no file given and has no rows. */
typedef struct reference_table {
    reference_file_t file;
    const char *path; /* borrowed */
    size_t rows;
    char **cells;                 /* rows * REFERENCE_COLUMNS, owned */
    long *lines;                  /* physical line of each row */
    struct reference_key *by_key; /* rows by their first cell, then by row */
    size_t cap;
} reference_table_t;

/* One problem: text is "PATH:LINE: FIELD: message", owned. */
typedef struct reference_problem {
    reference_file_t file;
    long line;  /* 0: the file as a whole */
    size_t seq; /* order of finding */
    char *text;
} reference_problem_t;

/* The problems found so far; start from {0}. */
typedef struct reference_report {
    reference_problem_t *items;
    size_t count, cap;
    bool out_of_memory; /* the report is incomplete: memory ran out */
} reference_report_t;

/* Adds a problem of t's file at line (0: none) in field (NULL: none); one
 * that cannot be kept sets r->out_of_memory. */
void reference_report_add(reference_report_t *r, const reference_table_t *t, long line,
                          const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Sorts the problems by file, line and order of finding, and writes into
 * summary "nothing imported: N problem(s)", or with more than
 * REFERENCE_MAX_REPORTED "nothing imported: N problems, the first 20 shown"
 * ("" when there are none). Returns how many of the sorted problems to show:
 * at most REFERENCE_MAX_REPORTED. */
size_t reference_report_sort(reference_report_t *r, char *summary, size_t summary_size);

/* Frees the problems and zeroes r; NULL is a no-op. */
void reference_report_free(reference_report_t *r);

/* Reads the header and rows of t's file from csv (borrowed) into t,
 * reporting into r: a header that does not hold the file's columns, and
 * rows with the wrong number of fields (left out). Returns 0, or -1 after
 * reporting what stopped the reading (empty input, a wrong header, a CSV
 * fault, out of memory). */
int reference_load(reference_table_t *t, csv_reader_t *csv, reference_report_t *r)
    __attribute__((warn_unused_result));

/* Frees the rows of t and leaves it empty; file and path stay. */
void reference_table_free(reference_table_t *t);

/* The cell of row in column (one of the file's column constants). */
const char *reference_cell(const reference_table_t *t, size_t row, int column);

/* True when a row of t holds key in its first column (ods_code, post_id);
 * false for a table that did not load. */
bool reference_has(const reference_table_t *t, const char *key);

/* True when s is an ods code: 2 to 5 upper-case letters or digits. */
bool reference_is_ods_code(const char *s);

/* True when post row is designated top-200 (top200 is yes). */
bool reference_designated(const reference_table_t *posts, size_t row);

/* Checks every row of a loaded organisations table into r. */
void reference_check_organisations(const reference_table_t *orgs, reference_report_t *r);

/* Tells whether an organisation outside the organisations file exists. */
typedef bool reference_known_fn(const char *ods_code, void *arg);

/* Checks every row of a loaded posts table into r. A well-formed ods_code
 * must be in orgs (loaded, or without a path) or, when known is not NULL,
 * be known(code, arg); the message names the database as the other place. */
void reference_check_posts(const reference_table_t *posts, const reference_table_t *orgs,
                           reference_known_fn *known, void *arg, reference_report_t *r);

#endif
